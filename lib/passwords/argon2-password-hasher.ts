import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { HashWorkLimiter, type HashWorkLimits } from './hash-work-limiter.js';
import { PasswordHasher, type PasswordHasherOptions, PasswordPolicyError } from './password-hasher.js';
import { PasswordHasherSettings } from './password-hasher-settings.js';

/** PHC prefix of every hash this class writes; anything else (argon2i, bcrypt...) needs a rehash. */
const ARGON2ID_PREFIX = '$argon2id$';

/**
 * argon2id at OWASP's recommended parameters (m=19456 KiB, t=2, p=1). Hashing runs on libuv's
 * thread pool inside the argon2 binding, so the event loop keeps serving other requests; at most
 * `passwords.concurrency` hashes run at once and `passwords.maxQueue` wait, the rest are refused
 * with `AuthError('unavailable')`.
 */
@Injectable()
export class Argon2PasswordHasher extends PasswordHasher implements OnModuleInit {
  private readonly params: { memoryCost: number; timeCost: number; parallelism: number };
  private readonly maxPasswordBytes: number;
  private readonly limiter: HashWorkLimiter;
  private dummyHash: Promise<string> | undefined;

  /** Nest injects the module's `passwords` settings; `new Argon2PasswordHasher({ memoryCost })` works outside Nest. */
  constructor(@Inject(PasswordHasherSettings) options: PasswordHasherOptions = {}) {
    super();
    const settings = options instanceof PasswordHasherSettings ? options : new PasswordHasherSettings(options);
    this.params = { memoryCost: settings.memoryCost, timeCost: settings.timeCost, parallelism: settings.parallelism };
    this.maxPasswordBytes = settings.maxPasswordBytes;
    this.limiter = new HashWorkLimiter(settings.limits);
  }

  /** Hashes running and waiting now (for health checks and metrics). */
  get load(): { readonly active: number; readonly queued: number } {
    return this.limiter.load;
  }

  /** How many hashes may run at once and wait (`passwords.concurrency`, `passwords.maxQueue`). */
  get limits(): HashWorkLimits {
    return this.limiter.limits;
  }

  /** Computes the dummy hash at boot, so the first unknown-user login costs what every later one does. */
  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  async hash(password: string): Promise<string> {
    if (typeof password !== 'string' || password.length === 0) throw new PasswordPolicyError('Password must not be empty');
    if (this.tooLong(password)) {
      throw new PasswordPolicyError(`Password must be at most ${this.maxPasswordBytes} bytes`);
    }
    return this.limiter.run(() => argon2.hash(password, { type: argon2.argon2id, ...this.params }));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    if (!this.acceptable(password) || typeof hash !== 'string') return false;
    return this.limiter.run(() => argon2.verify(hash, password).catch(() => false));
  }

  needsRehash(hash: string): boolean {
    if (typeof hash !== 'string' || !hash.startsWith(ARGON2ID_PREFIX)) return true;
    try {
      return argon2.needsRehash(hash, { ...this.params });
    } catch {
      return true;
    }
  }

  /**
   * Mirrors `verify` exactly: where `verify` refuses without hashing (an over-long password),
   * so does this; otherwise it runs one argon2id verification at the current parameters.
   */
  async verifyDummy(password: string): Promise<false> {
    if (!this.acceptable(password)) return false;
    await this.verify(await this.dummy(), password);
    return false;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= argon2.hash('nest-warden timing equalizer', { type: argon2.argon2id, ...this.params }).catch((error: unknown) => {
      this.dummyHash = undefined; // never cache a failure
      throw error;
    });
    return this.dummyHash;
  }

  private acceptable(password: unknown): password is string {
    return typeof password === 'string' && !this.tooLong(password);
  }

  /** Cheap upper bound first: a string of n UTF-16 units is at most 3n UTF-8 bytes. */
  private tooLong(password: string): boolean {
    if (password.length > this.maxPasswordBytes) return true;
    return password.length * 3 > this.maxPasswordBytes && Buffer.byteLength(password, 'utf8') > this.maxPasswordBytes;
  }
}
