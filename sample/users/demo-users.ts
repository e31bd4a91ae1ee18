import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PasswordHasher, type UserAccount, UserDirectory } from '../../lib/index.js';

/** The sample's accounts (design.md: alice is an admin, bob a user), hashed with argon2id at start. */
const DEMO_ACCOUNTS = [
  { id: 'alice', username: 'alice', password: 'alice-password', roles: ['admin'], scopes: ['items:read', 'items:write'] },
  { id: 'bob', username: 'bob', password: 'bob-password', roles: ['user'], scopes: ['items:read'] },
] as const;

/** An in-memory user directory; a real app would read its users table here. */
@Injectable()
export class DemoUsers extends UserDirectory implements OnModuleInit {
  private readonly accounts = new Map<string, UserAccount>();

  constructor(private readonly hasher: PasswordHasher) {
    super();
  }

  async onModuleInit(): Promise<void> {
    for (const { password, ...account } of DEMO_ACCOUNTS) {
      this.accounts.set(account.username, { ...account, passwordHash: await this.hasher.hash(password) });
    }
  }

  async findByUsername(username: string): Promise<UserAccount | null> {
    return this.accounts.get(username) ?? null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    for (const account of this.accounts.values()) if (account.id === id) return account;
    return null;
  }

  override async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    for (const [username, account] of this.accounts) {
      if (account.id === id) this.accounts.set(username, { ...account, passwordHash });
    }
  }

  list(): { id: string; username: string; roles: readonly string[] }[] {
    return [...this.accounts.values()].map(({ id, username, roles }) => ({ id, username, roles: roles ?? [] }));
  }
}
