import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { type PasswordHasherOptions, type UserAccount, UserDirectory } from '../../lib/index.js';

/** argon2id parameters cheap enough for tests; the defaults are covered once in their own spec. */
export const CHEAP_ARGON2: PasswordHasherOptions = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly permissions?: readonly string[];
  readonly disabled?: boolean;
}

export const ALICE: TestUser = { id: 'u-alice', username: 'alice', password: 'alice-password', roles: ['admin'], scopes: ['items:read', 'items:write'] };
export const BOB: TestUser = { id: 'u-bob', username: 'bob', password: 'bob-password', roles: ['user'], scopes: ['items:read'] };

/** Hashes with the cheap test parameters (what `Argon2PasswordHasher` with `CHEAP_ARGON2` produces). */
export function hashForTest(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...CHEAP_ARGON2 });
}

/** An in-memory `UserDirectory`; provide it with `{ provide: UserDirectory, useExisting: InMemoryUsers }`. */
@Injectable()
export class InMemoryUsers extends UserDirectory {
  private readonly accounts = new Map<string, UserAccount>();

  async add(user: TestUser): Promise<UserAccount> {
    const { password, ...rest } = user;
    const account = { ...rest, passwordHash: await hashForTest(password) };
    this.accounts.set(user.username, account);
    return account;
  }

  async findByUsername(username: string): Promise<UserAccount | null> {
    return this.accounts.get(username) ?? null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    for (const account of this.accounts.values()) if (account.id === id) return account;
    return null;
  }

  override async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    for (const [name, account] of this.accounts) if (account.id === id) this.accounts.set(name, { ...account, passwordHash });
  }
}
