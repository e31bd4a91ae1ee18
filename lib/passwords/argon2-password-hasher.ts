import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { AuthOptions } from '../options/auth-options.js';
import { PasswordHasher, type PasswordHasherOptions, PasswordPolicyError } from './password-hasher.js';

const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * argon2id at OWASP's recommended parameters (m=19456 KiB, t=2, p=1). Hashing runs on libuv's
 * thread pool inside the argon2 binding, so the event loop keeps serving other requests.
 */
@Injectable()
export class Argon2PasswordHasher extends PasswordHasher {
  private readonly params: { memoryCost: number; timeCost: number; parallelism: number };
  private readonly maxPasswordBytes: number;
  private dummyHash: Promise<string> | undefined;

  constructor(options: AuthOptions) {
    super();
    const configured: PasswordHasherOptions = options.raw.passwords ?? {};
    this.params = {
      memoryCost: configured.memoryCost ?? OWASP.memoryCost,
      timeCost: configured.timeCost ?? OWASP.timeCost,
      parallelism: configured.parallelism ?? OWASP.parallelism,
    };
    this.maxPasswordBytes = configured.maxPasswordBytes ?? 1024;
  }

  async hash(password: string): Promise<string> {
    if (typeof password !== 'string' || password.length === 0) throw new PasswordPolicyError('Password must not be empty');
    if (this.tooLong(password)) {
      throw new PasswordPolicyError(`Password must be at most ${this.maxPasswordBytes} bytes`);
    }
    return argon2.hash(password, { type: argon2.argon2id, ...this.params });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    if (typeof password !== 'string' || typeof hash !== 'string' || this.tooLong(password)) return false;
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, { ...this.params });
    } catch {
      return true;
    }
  }

  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= argon2.hash('nest-warden timing equalizer', { type: argon2.argon2id, ...this.params });
    await this.verify(await this.dummyHash, typeof password === 'string' && !this.tooLong(password) ? password : '');
    return false;
  }

  /** Cheap upper bound first: a string of n UTF-16 units is at most 3n UTF-8 bytes. */
  private tooLong(password: string): boolean {
    if (password.length > this.maxPasswordBytes) return true;
    return password.length * 3 > this.maxPasswordBytes && Buffer.byteLength(password, 'utf8') > this.maxPasswordBytes;
  }
}
