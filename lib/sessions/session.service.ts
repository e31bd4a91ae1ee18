import { Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth.error.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../errors/retry-after.js';
import { type AuthRequest, readHeader } from '../request/auth-request.js';
import type { Principal } from '../principal/principal.js';
import { UserRevocation } from '../revocation/user-revocation.js';
import { AuthStore } from '../stores/auth-store.js';
import { failClosed } from '../stores/fail-closed.js';
import { isCrossOrigin, isSafeMethod } from './cross-origin.js';
import { parseSessionRecord, type SessionRecord } from './session-record.js';
import { type SessionConfig, SessionSettings } from './session-settings.js';

/** Who a session is for: a `UserAccount` from `PasswordLogin.verify()` fits as it is. */
export interface SessionSubject {
  readonly id: string;
  readonly username?: string;
  readonly roles?: readonly string[];
  readonly permissions?: readonly string[];
  readonly scopes?: readonly string[];
}

/** A session just created: put `id` in the cookie and give `csrfToken` to the client. */
export interface IssuedSession {
  /** The cookie value: 256 random bits. Never log it; the store only ever sees its hash. */
  readonly id: string;
  /** The stable handle of the session (SHA-256 of the id), as `Principal.sessionId`. */
  readonly handle: string;
  readonly csrfToken: string;
  /** When the session ends if unused (ms since epoch). */
  readonly expiresAt: number;
}

/** What a client may know about its own session. */
export interface SessionInfo {
  readonly userId: string;
  readonly username?: string;
  readonly amr: readonly string[];
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const STRATEGY = 'session';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const handleOf = (id: string): string => digest(id).toString('base64url');
const randomToken = (): string => randomBytes(32).toString('base64url');

/**
 * Server-side sessions in the `AuthStore`. The store key is the SHA-256 of the session id, so a
 * leaked store dump holds no usable cookie. Every login gets a new id (no fixation); sessions end
 * after `idleTimeoutMs` without use and `absoluteTimeoutMs` after login; `revokeUser` ends all of a
 * user's sessions at once by changing the user's epoch, which every request checks.
 */
@Injectable()
export class SessionService implements OnModuleInit {
  private readonly config: SessionConfig | undefined;

  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly sessionSettings: SessionSettings,
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly revocation: UserRevocation,
  ) {
    this.config = sessionSettings.config;
  }

  get enabled(): boolean {
    return this.config !== undefined;
  }

  /** @internal */
  get settings(): SessionConfig {
    return this.sessionSettings.require();
  }

  onModuleInit(): void {
    if (this.config) this.revocation.subscribe((userId) => this.revokeUser(userId));
  }

  /**
   * Starts a session for an authenticated user. `replaces` is the cookie the request came with,
   * if any: that session is destroyed, never promoted (passport CVE-2022-25896 session fixation).
   */
  async create(subject: SessionSubject, options: { amr?: readonly string[]; replaces?: string } = {}): Promise<IssuedSession> {
    const settings = this.settings;
    return this.io(async () => {
      if (options.replaces !== undefined && SESSION_ID.test(options.replaces)) {
        await this.store.delete(this.key(handleOf(options.replaces)));
      }
      const epoch = await this.userEpoch(subject.id);
      const now = this.clock.now();
      const record: SessionRecord = {
        uid: subject.id,
        username: subject.username,
        roles: [...(subject.roles ?? [])],
        permissions: [...(subject.permissions ?? [])],
        scopes: [...(subject.scopes ?? [])],
        amr: [...(options.amr ?? ['pwd'])],
        csrf: randomToken(),
        createdAt: now,
        seenAt: now,
        epoch,
      };
      return this.insert(record, settings);
    });
  }

  /**
   * The principal behind a session cookie, for the `session` strategy. Unsafe methods must come
   * from the same origin and carry the session's CSRF token, else `forbidden` (403).
   */
  async authenticate(id: string, request: AuthRequest): Promise<Principal> {
    const settings = this.settings;
    const unsafe = !isSafeMethod(request.method);
    if (unsafe && isCrossOrigin(request, settings.trustedOrigins)) {
      throw new AuthError('forbidden', { description: 'Cross-site request refused', strategy: STRATEGY });
    }
    if (!SESSION_ID.test(id)) throw this.invalid();
    const handle = handleOf(id);
    return this.io(async () => {
      const { raw, record } = await this.load(handle);
      if (unsafe && !this.csrfMatches(this.sentCsrfToken(request, settings), record.csrf)) {
        throw new AuthError('forbidden', { description: 'Missing or invalid CSRF token', strategy: STRATEGY });
      }
      const now = this.clock.now();
      let current = record;
      if (now - record.seenAt >= settings.touchIntervalMs) {
        current = { ...record, seenAt: now };
        // Compare-and-swap: a concurrent logout is never undone by this write.
        await this.store.compareAndSwap(this.key(handle), raw, JSON.stringify(current), this.ttl(current, settings));
      }
      return {
        id: current.uid,
        username: current.username,
        roles: current.roles,
        permissions: current.permissions,
        scopes: current.scopes,
        amr: current.amr,
        strategy: STRATEGY,
        sessionId: handle,
        expiresAt: this.deadline(current, settings),
      };
    });
  }

  /** The session's own view of itself (for `GET /auth/session`), or `null` when it has ended. */
  async describe(handle: string): Promise<SessionInfo | null> {
    const settings = this.settings;
    return this.io(async () => {
      try {
        const { record } = await this.load(handle);
        return {
          userId: record.uid,
          username: record.username,
          amr: record.amr,
          csrfToken: record.csrf,
          createdAt: record.createdAt,
          expiresAt: this.deadline(record, settings),
        };
      } catch (error) {
        if (AuthError.isAuthError(error) && error.code === 'invalid_credentials') return null;
        throw error;
      }
    });
  }

  /**
   * Replaces a session by a new one (new id, new CSRF token, same login time) that adds `methods`
   * to `amr`: call it after a second factor. The old id stops working at once.
   */
  async stepUp(handle: string, ...methods: string[]): Promise<IssuedSession> {
    const settings = this.settings;
    return this.io(async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const { raw, record } = await this.load(handle);
        // Consume the old session first: a stolen pre-step-up id can never be upgraded twice.
        if (!(await this.store.compareAndSwap(this.key(handle), raw, null, 1))) continue;
        const amr = [...new Set([...record.amr, ...methods])];
        return this.insert({ ...record, amr, csrf: randomToken(), seenAt: this.clock.now() }, settings);
      }
      throw this.invalid();
    });
  }

  /** Ends one session (logout). `true` when it existed. */
  async destroy(handle: string): Promise<boolean> {
    return this.io(() => this.store.delete(this.key(handle)));
  }

  /** Ends every session of a user ("log out everywhere", password reset). */
  async revokeUser(userId: string): Promise<void> {
    const settings = this.settings;
    await this.io(() => this.store.set(this.epochKey(userId), randomToken(), settings.absoluteTimeoutMs));
  }

  /** The id hash under which a session is stored (also `Principal.sessionId`). */
  handleOf(id: string): string | undefined {
    return SESSION_ID.test(id) ? handleOf(id) : undefined;
  }

  private async insert(record: SessionRecord, settings: SessionConfig): Promise<IssuedSession> {
    const ttl = this.ttl(record, settings);
    if (ttl <= 0) throw this.invalid();
    for (;;) {
      const id = randomToken();
      const handle = handleOf(id);
      if (await this.store.setIfAbsent(this.key(handle), JSON.stringify(record), ttl)) {
        return { id, handle, csrfToken: record.csrf, expiresAt: this.deadline(record, settings) };
      }
    }
  }

  /** The live session under `handle`, or `invalid_credentials` (deleting it when it has ended). */
  private async load(handle: string): Promise<{ raw: string; record: SessionRecord }> {
    const settings = this.settings;
    const key = this.key(handle);
    const raw = await this.store.get(key);
    if (raw === null) throw this.invalid();
    const record = parseSessionRecord(raw);
    const alive =
      record !== null &&
      this.clock.now() < this.deadline(record, settings) &&
      (await this.store.get(this.epochKey(record.uid))) === record.epoch;
    if (!alive) {
      await this.store.delete(key);
      throw this.invalid();
    }
    return { raw, record: record! };
  }

  /**
   * The user's current epoch, created when missing. Its TTL is pushed to at least the absolute
   * timeout from now (compare-and-swap, so a concurrent revocation is never undone): the epoch
   * outlives every session that refers to it.
   */
  private async userEpoch(userId: string): Promise<string> {
    const key = this.epochKey(userId);
    const ttl = this.settings.absoluteTimeoutMs;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.get(key);
      if (current === null) {
        const fresh = randomToken();
        if (await this.store.setIfAbsent(key, fresh, ttl)) return fresh;
      } else if (await this.store.compareAndSwap(key, current, current, ttl)) {
        return current;
      }
    }
    throw new AuthError('unavailable', {
      description: 'Sessions are temporarily unavailable',
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
    });
  }

  private sentCsrfToken(request: AuthRequest, settings: SessionConfig): string | undefined {
    const header = readHeader(request, settings.csrfHeader);
    if (header !== undefined || settings.csrfField === undefined) return header;
    const body = (request as { readonly body?: unknown }).body;
    const field = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[settings.csrfField] : undefined;
    return typeof field === 'string' ? field : undefined;
  }

  private csrfMatches(sent: string | undefined, expected: string): boolean {
    if (sent === undefined || sent.length === 0 || sent.length > 256) return false;
    return timingSafeEqual(digest(sent), digest(expected));
  }

  private deadline(record: SessionRecord, settings: SessionConfig): number {
    return Math.min(record.seenAt + settings.idleTimeoutMs, record.createdAt + settings.absoluteTimeoutMs);
  }

  private ttl(record: SessionRecord, settings: SessionConfig): number {
    return this.deadline(record, settings) - this.clock.now();
  }

  private key(handle: string): string {
    return `session:id:${handle}`;
  }

  private epochKey(userId: string): string {
    return `session:epoch:${handleOf(userId)}`;
  }

  private invalid(): AuthError {
    return new AuthError('invalid_credentials', { description: 'Session expired or invalid', strategy: STRATEGY });
  }

  /** Store failures fail closed: 503, never "no session" and never a 500. */
  private async io<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw failClosed(error, { description: 'Sessions are temporarily unavailable', strategy: STRATEGY });
    }
  }
}
