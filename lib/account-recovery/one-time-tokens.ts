import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../clock/clock.js';
import { AuthStore } from '../stores/auth-store.js';

/** A token found in the store: its data, and the stored value needed to consume it. */
export interface FoundToken {
  readonly data: Readonly<Record<string, string>>;
  readonly stored: string;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Single-use, expiring, 256-bit tokens for emailed links. The store holds only the SHA-256 of a
 * token (a store dump yields no usable link); consuming is a compare-and-swap delete, so of two
 * concurrent uses exactly one succeeds.
 */
@Injectable()
export class OneTimeTokens {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  async issue(purpose: string, data: Readonly<Record<string, string>>, ttlMs: number): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    await this.store.set(this.key(purpose, token), JSON.stringify(data), ttlMs);
    return { token, expiresAt: this.clock.now() + ttlMs };
  }

  /** The token's data without using it up, or `null` (unknown, expired, used, malformed). */
  async find(purpose: string, token: unknown): Promise<FoundToken | null> {
    if (typeof token !== 'string' || !TOKEN.test(token)) return null;
    const stored = await this.store.get(this.key(purpose, token));
    if (stored === null) return null;
    try {
      const data = JSON.parse(stored) as unknown;
      return data !== null && typeof data === 'object' ? { data: data as Record<string, string>, stored } : null;
    } catch {
      return null;
    }
  }

  /** Uses the token up; `true` for exactly one caller. */
  async consume(purpose: string, token: string, found: FoundToken): Promise<boolean> {
    return this.store.compareAndSwap(this.key(purpose, token), found.stored, null, 1);
  }

  private key(purpose: string, token: string): string {
    return `recovery:${purpose}:${createHash('sha256').update(token).digest('base64url')}`;
  }
}
