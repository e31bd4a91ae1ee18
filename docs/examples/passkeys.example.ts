// Examples for docs/passkeys.md. Type-checked by `tsc` and booted by passkeys.example.spec.ts.
import { Controller, Get, Injectable, Module, Post, UnauthorizedException } from '@nestjs/common';
import {
  Auth,
  AuthModule,
  CurrentUser,
  PasskeyDirectory,
  type PasskeyUse,
  type Principal,
  type StoredPasskey,
  TokenService,
  type UserAccount,
  UserDirectory,
} from '../../lib/index.js';

// --- example: directory
/**
 * Your passkeys table. With SQL: `passkeys(id text primary key, user_id, public_key bytea,
 * counter bigint, transports text[], device_type, backed_up bool, name, created_at, last_used_at)`.
 */
@Injectable()
export class PasskeyRepository extends PasskeyDirectory {
  readonly rows = new Map<string, StoredPasskey>();

  async findById(credentialId: string): Promise<StoredPasskey | null> {
    return this.rows.get(credentialId) ?? null; // SELECT * FROM passkeys WHERE id = $1
  }

  async listByUser(userId: string): Promise<StoredPasskey[]> {
    return [...this.rows.values()].filter((row) => row.userId === userId);
  }

  async add(passkey: StoredPasskey): Promise<void> {
    if (this.rows.has(passkey.id)) throw new Error('duplicate credential id'); // the primary key refuses it
    this.rows.set(passkey.id, passkey);
  }

  // UPDATE passkeys SET counter = $3, backed_up = $4, last_used_at = $5 WHERE id = $1 AND counter = $2
  async recordUse(credentialId: string, expectedCounter: number, use: PasskeyUse): Promise<boolean> {
    const row = this.rows.get(credentialId);
    if (!row || row.counter !== expectedCounter) return false;
    this.rows.set(credentialId, { ...row, counter: use.counter, backedUp: use.backedUp, lastUsedAt: use.usedAt });
    return true;
  }

  async rename(userId: string, credentialId: string, name: string): Promise<boolean> {
    const row = this.rows.get(credentialId);
    if (row?.userId !== userId) return false; // only the owner's own passkeys
    this.rows.set(credentialId, { ...row, name });
    return true;
  }

  async delete(userId: string, credentialId: string): Promise<boolean> {
    return this.rows.get(credentialId)?.userId === userId && this.rows.delete(credentialId);
  }
}
// --- end

/** The accounts (passkeys need a `UserDirectory`: a sign-in starts a session for the account). */
@Injectable()
export class UsersService extends UserDirectory {
  readonly rows = new Map<string, UserAccount>();

  async findByUsername(username: string): Promise<UserAccount | null> {
    for (const row of this.rows.values()) if (row.username === username) return row;
    return null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    return this.rows.get(id) ?? null;
  }
}

// --- example: tokens
/**
 * A session (from a passkey, or a password) obtains tokens for an API client: TokenService.issue()
 * keeps the session's `amr`, so the access token says how the user signed in.
 */
@Controller()
export class SessionTokensController {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  @Auth('session') // the cookie plus its CSRF token (a POST)
  @Post('auth/session/tokens')
  async issue(@CurrentUser() user: Principal) {
    const account = await this.users.findById(user.id);
    if (!account) throw new UnauthorizedException('Unknown user');
    const set = await this.tokens.issue(account, { amr: user.amr, refreshToken: false, grantType: 'session' });
    return { access_token: set.accessToken, token_type: 'Bearer', expires_in: set.expiresIn };
  }
}
// --- end

/** Needs a second factor: a passkey session, or a bearer token issued for one, passes. */
@Controller()
export class BillingController {
  @Auth({ mfa: true })
  @Get('billing')
  billing(@CurrentUser('id') id: string) {
    return { billing: 'open', id };
  }
}

/** The page's origin; in production, your https site (`PASSKEY_ORIGIN=https://notes.example`). */
export const passkeyOrigin = (): string => process.env.PASSKEY_ORIGIN ?? 'http://localhost:3000';

// --- example: module
@Module({
  imports: [
    AuthModule.forRoot({
      session: { secure: process.env.NODE_ENV === 'production' },
      passkeys: {
        rpId: new URL(passkeyOrigin()).hostname, // your domain: passkeys are bound to it
        rpName: 'Acme Notes', // shown by the authenticator
        origins: [passkeyOrigin()], // exact origins of your pages; never taken from a request
        // userVerification: 'required' (the default): a PIN or biometrics each time, so a passkey is two factors
      },
      tokens: { issuer: 'https://notes.example', clients: [{ id: 'web' }], defaultClient: 'web', signing: { alg: 'EdDSA' } },
      sessionEndpoints: true,
      passkeyEndpoints: true, // or { registration: '/me/passkeys', manage: false, ... }
    }),
  ],
  controllers: [SessionTokensController, BillingController],
  providers: [
    UsersService,
    { provide: UserDirectory, useExisting: UsersService },
    PasskeyRepository,
    { provide: PasskeyDirectory, useExisting: PasskeyRepository },
  ],
})
export class AppModule {}
// --- end
