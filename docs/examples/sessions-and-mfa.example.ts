// Examples for docs/sessions-and-mfa.md. Type-checked by `tsc` and booted by sessions-and-mfa.example.spec.ts.
import { Controller, Get, Injectable, Module, type OnModuleInit, Post, Res } from '@nestjs/common';
import {
  type AccountMail,
  AccountMailer,
  Auth,
  AuthModule,
  CurrentUser,
  MfaDirectory,
  type Principal,
  type RecoveryContact,
  RecoveryDirectory,
  SessionCookies,
  SessionService,
  type TotpEnrollment,
  type UserAccount,
  UserDirectory,
  UserRevocation,
} from '../../lib/index.js';

// --- 1. What the app provides ------------------------------------------------------------------

interface UserRow extends UserAccount {
  readonly email: string;
  readonly emailVerified: boolean;
}

/** One service can play every directory role; here an in-memory one, yours would query a database. */
@Injectable()
export class UsersService extends UserDirectory {
  readonly rows = new Map<string, UserRow>();

  async findByUsername(username: string): Promise<UserAccount | null> {
    for (const row of this.rows.values()) if (row.username === username) return row;
    return null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    return this.rows.get(id) ?? null;
  }

  // Required by password reset: nest-warden hashes, you store.
  override async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, passwordHash });
  }
}

@Injectable()
export class ContactsService extends RecoveryDirectory {
  constructor(private readonly users: UsersService) {
    super();
  }

  async findByEmail(email: string): Promise<RecoveryContact | null> {
    for (const row of this.users.rows.values()) {
      if (row.email.toLowerCase() === email.toLowerCase()) return { userId: row.id, email: row.email };
    }
    return null;
  }

  async findContact(userId: string): Promise<RecoveryContact | null> {
    const row = this.users.rows.get(userId);
    return row ? { userId, email: row.email } : null;
  }

  async markEmailVerified(userId: string, email: string): Promise<void> {
    const row = this.users.rows.get(userId);
    if (row && row.email === email) this.users.rows.set(userId, { ...row, emailVerified: true });
  }
}

/** TOTP enrollments are durable user data: they live with your users (encrypt `secret` at rest). */
@Injectable()
export class MfaRepository extends MfaDirectory {
  private readonly rows = new Map<string, TotpEnrollment>();

  async findTotp(userId: string): Promise<TotpEnrollment | null> {
    return this.rows.get(userId) ?? null;
  }

  async saveTotp(userId: string, enrollment: TotpEnrollment): Promise<void> {
    this.rows.set(userId, enrollment);
  }

  async deleteTotp(userId: string): Promise<void> {
    this.rows.delete(userId);
  }

  // In SQL: DELETE FROM recovery_codes WHERE user_id = $1 AND hash = $2, then check the row count.
  async consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const row = this.rows.get(userId);
    if (!row?.recoveryCodeHashes.includes(codeHash)) return false;
    this.rows.set(userId, { ...row, recoveryCodeHashes: row.recoveryCodeHashes.filter((hash) => hash !== codeHash) });
    return true;
  }
}

/** Builds the links: the token goes in the fragment, which never reaches a server or a Referer header. */
@Injectable()
export class Mailer extends AccountMailer {
  readonly outbox: { to: string; subject: string; link: string }[] = [];

  async send(mail: AccountMail): Promise<void> {
    const page = mail.kind === 'password-reset' ? 'reset-password' : 'verify-email';
    const subject = mail.kind === 'password-reset' ? 'Reset your password' : 'Confirm your address';
    this.outbox.push({ to: mail.to, subject, link: `https://notes.example/${page}#token=${mail.token}` });
  }
}

// --- 2. Routes -----------------------------------------------------------------------------------

@Controller()
export class AccountController {
  @Get('me') // default strategies: a bearer token or the session cookie
  me(@CurrentUser() user: Principal) {
    return { id: user.id, username: user.username, roles: user.roles };
  }

  @Auth({ mfa: true }) // password alone is not enough: step up with POST /auth/session/mfa first
  @Post('billing/payout')
  payout() {
    return { scheduled: true };
  }
}

/**
 * Your own login paths use the same sessions and cookie. Here: a web view that already holds an
 * access token trades it for a cookie session, keeping how the user authenticated (`amr`).
 */
@Controller()
export class TokenToSessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
  ) {}

  @Auth('jwt')
  @Post('auth/session/from-token')
  async exchange(@CurrentUser() user: Principal, @Res({ passthrough: true }) response: unknown) {
    const session = await this.sessions.create(
      { id: user.id, username: user.username, roles: user.roles },
      { amr: user.amr ?? ['pwd'] },
    );
    this.cookies.set(response, session.id);
    return { csrfToken: session.csrfToken };
  }
}

/** Long-lived credentials of your own join "log out everywhere" and password resets like this. */
@Injectable()
export class RefreshTokenRevoker implements OnModuleInit {
  readonly revoked: string[] = [];

  constructor(private readonly revocation: UserRevocation) {}

  onModuleInit(): void {
    this.revocation.subscribe((userId, reason) => {
      this.revoked.push(`${userId}:${reason}`); // e.g. delete the user's refresh-token families
    });
  }
}

// --- 3. The module -------------------------------------------------------------------------------

/** Development only; production reads JWT_SECRET (32+ random bytes). */
export const DEV_JWT_SECRET = 'a-development-secret-of-32-bytes!!';

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET ?? DEV_JWT_SECRET },
      session: {
        hostPrefix: process.env.NODE_ENV === 'production', // __Host-nw_session: Secure, Path=/, no Domain
        secure: process.env.NODE_ENV === 'production', // plain http in local development only
        idleTimeoutMs: 30 * 60_000,
        absoluteTimeoutMs: 8 * 60 * 60_000,
      },
      mfa: { issuer: 'Acme Notes' },
      recovery: { resetTokenTtlMs: 30 * 60_000 },
      sessionEndpoints: true, // POST/GET /auth/session, /auth/session/logout, /auth/session/logout-all, /auth/session/mfa
      mfaEndpoints: true, // /auth/mfa/totp, /auth/mfa/totp/confirm, /auth/mfa/recovery-codes
      recoveryEndpoints: { emailVerification: false }, // paths can be moved, or left out with false
    }),
  ],
  controllers: [AccountController, TokenToSessionController],
  providers: [
    UsersService,
    { provide: UserDirectory, useExisting: UsersService },
    ContactsService,
    { provide: RecoveryDirectory, useExisting: ContactsService },
    MfaRepository,
    { provide: MfaDirectory, useExisting: MfaRepository },
    Mailer,
    { provide: AccountMailer, useExisting: Mailer },
    RefreshTokenRevoker,
  ],
})
export class AppModule {}

// --- 4. A browser client (same origin) -------------------------------------------------------------

/** Keeps the CSRF token in memory; after a reload it asks the server again. */
export class ApiClient {
  private csrfToken: string | undefined;

  constructor(private readonly base = '') {}

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.base}/auth/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' }, // JSON only: text/plain or forms get 415
      body: JSON.stringify({ username, password }),
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(`login failed: ${res.status}`);
    this.csrfToken = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  /** Second factor: the answer carries a new token (the session id and token are replaced). */
  async stepUp(code: string): Promise<void> {
    const res = await this.send('POST', '/auth/session/mfa', { code });
    this.csrfToken = ((await res.json()) as { csrfToken: string }).csrfToken;
  }

  /** Every unsafe method carries the token; GET, HEAD and OPTIONS need none. */
  async send(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Response> {
    this.csrfToken ??= await this.fetchCsrfToken();
    return fetch(`${this.base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': this.csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  }

  private async fetchCsrfToken(): Promise<string> {
    const res = await fetch(`${this.base}/auth/session`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error('not signed in');
    return ((await res.json()) as { csrfToken: string }).csrfToken;
  }
}
