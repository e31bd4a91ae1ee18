import { Module, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthError, AuthModule, Clock, TotpService, UserDirectory } from '../lib/index.js';
import { SESSIONS_OPTIONS, sessionsTestModule } from './fixtures/sessions-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { InMemoryMfaDirectory, totpCode } from './helpers/mfa.js';
import { loginAs, sessionFrom, setCookies, type TestSession } from './helpers/sessions.js';
import { signTestToken } from './helpers/tokens.js';
import { CHEAP_ARGON2, InMemoryUsers, type TestUser } from './helpers/users.js';

const STEP = 30_000;
const RECOVERY_CODE = /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/;

describe.each(ADAPTERS)('TOTP two-factor authentication (%s)', (adapter) => {
  let app: INestApplication;
  const clock = new FakeClock();
  const server = () => app.getHttpServer();
  let serial = 0;

  beforeAll(async () => {
    // The step-up flow: enrolled accounts sign in with the password alone, then step up (mfa.passwordLogins 'step-up').
    const options = { ...SESSIONS_OPTIONS, mfa: { ...SESSIONS_OPTIONS.mfa, passwordLogins: 'step-up' as const } };
    app = await createApp(adapter, { imports: [sessionsTestModule(options)] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => app.close());

  /** A fresh user per test, so enrollments, replay markers and lockouts never leak between tests. */
  async function newUser(): Promise<TestUser> {
    const name = `user${++serial}`;
    const user = { id: `u-${name}`, username: name, password: `${name}-password`, roles: ['user'] };
    await app.get(InMemoryUsers).add(user);
    return user;
  }

  const post = (path: string, session: TestSession) => request(server()).post(path).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);

  /** Enrolls through the endpoints; leaves the clock one step later, so the confirming code is spent. */
  async function enroll(session: TestSession): Promise<{ secret: string; recoveryCodes: string[] }> {
    const begin = await post('/auth/mfa/totp', session);
    expect(begin.status).toBe(200);
    const secret = begin.body.secret as string;
    const confirm = await post('/auth/mfa/totp/confirm', session).send({ code: await totpCode(secret, clock.now()) });
    expect(confirm.status).toBe(200);
    clock.advance(STEP);
    return { secret, recoveryCodes: confirm.body.recoveryCodes as string[] };
  }

  async function stepUp(session: TestSession, body: object) {
    const res = await post('/auth/session/mfa', session).send(body);
    return { res, session: res.status === 200 ? sessionFrom(res, res.body.csrfToken as string) : undefined };
  }

  it('enrolls: a secret and an otpauth:// URI, confirmed by a code, then recovery codes shown once', async () => {
    const user = await newUser();
    const session = await loginAs(app, user);
    const begin = await post('/auth/mfa/totp', session);
    expect(begin.status).toBe(200);
    expect(begin.headers['cache-control']).toBe('no-store');
    expect(begin.body).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      uri: `otpauth://totp/Nest%20Warden%20Test:${user.username}?secret=${begin.body.secret}&issuer=Nest%20Warden%20Test`,
      expiresAt: new Date(clock.now() + 10 * 60_000).toISOString(),
    });
    const secret = begin.body.secret as string;
    expect(await app.get(TotpService).isEnrolled(user.id)).toBe(false);

    const wrong = await post('/auth/mfa/totp/confirm', session).send({ code: (Number(await totpCode(secret, clock.now())) + 1).toString().padStart(6, '0').slice(-6) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe('Invalid or already used code');

    const confirm = await post('/auth/mfa/totp/confirm', session).send({ code: await totpCode(secret, clock.now()) });
    expect(confirm.status).toBe(200);
    expect(confirm.headers['cache-control']).toBe('no-store');
    const codes = confirm.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);

    const stored = app.get(InMemoryMfaDirectory).enrollments.get(user.id)!;
    expect(stored.secret).toBe(secret);
    expect(stored.recoveryCodeHashes).toHaveLength(10);
    const dump = JSON.stringify(stored);
    for (const code of codes) expect(dump).not.toContain(code.replace(/-/g, ''));

    const again = await post('/auth/mfa/totp', session);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Two-factor authentication is already enabled; disable it first');
  });

  it('drops an enrollment that is not confirmed in time', async () => {
    const session = await loginAs(app, await newUser());
    const begin = await post('/auth/mfa/totp', session);
    clock.advance(10 * 60_000 + 1);
    const late = await post('/auth/mfa/totp/confirm', session).send({ code: await totpCode(begin.body.secret as string, clock.now()) });
    expect(late.status).toBe(400);
    expect(late.body.message).toBe('No enrollment is pending; start again');
  });

  it('step-up: a password-only session gets 403 on @Auth({ mfa: true }); a code replaces it with one whose amr has otp', async () => {
    const user = await newUser();
    const first = await loginAs(app, user);
    const { secret } = await enroll(first);
    const session = await loginAs(app, user);
    const denied = await request(server()).get('/vault').set('Cookie', session.cookie);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe('A second authentication factor is required');

    const { res, session: upgraded } = await stepUp(session, { code: await totpCode(secret, clock.now()) });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(upgraded!.id).not.toBe(session.id);
    expect(upgraded!.csrf).not.toBe(session.csrf);
    await request(server()).get('/me').set('Cookie', session.cookie).expect(401);
    await request(server()).get('/vault').set('Cookie', upgraded!.cookie).expect(200);
    const me = await request(server()).get('/me').set('Cookie', upgraded!.cookie);
    expect(me.body.amr).toEqual(['pwd', 'otp']);
    await request(server()).post('/notes').set('Cookie', upgraded!.cookie).set('X-CSRF-Token', upgraded!.csrf).expect(201);
  });

  it('step-up is an unsafe session request: it needs the CSRF token', async () => {
    const user = await newUser();
    const session = await loginAs(app, user);
    const { secret } = await enroll(session);
    const res = await request(server())
      .post('/auth/session/mfa')
      .set('Cookie', session.cookie)
      .send({ code: await totpCode(secret, clock.now()) });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Missing or invalid CSRF token');
  });

  it('refuses a replayed code (RFC 6238 §5.2), including the one that confirmed the enrollment', async () => {
    const user = await newUser();
    const first = await loginAs(app, user);
    const begin = await post('/auth/mfa/totp', first);
    const secret = begin.body.secret as string;
    const confirmCode = await totpCode(secret, clock.now());
    await post('/auth/mfa/totp/confirm', first).send({ code: confirmCode }).expect(200);
    const replayConfirm = await stepUp(first, { code: confirmCode });
    expect(replayConfirm.res.status).toBe(400);

    clock.advance(STEP);
    const code = await totpCode(secret, clock.now());
    const a = await loginAs(app, user);
    const b = await loginAs(app, user);
    expect((await stepUp(a, { code })).res.status).toBe(200);
    const replay = await stepUp(b, { code });
    expect(replay.res.status).toBe(400);
    expect(replay.res.body.message).toBe('Invalid or already used code');
    await request(server()).get('/vault').set('Cookie', b.cookie).expect(403);

    clock.advance(STEP);
    expect((await stepUp(b, { code: await totpCode(secret, clock.now()) })).res.status).toBe(200);
  });

  it('accepts one step of clock drift either way, not two', async () => {
    const user = await newUser();
    const { secret } = await enroll(await loginAs(app, user));
    clock.advance(10 * STEP);
    expect((await stepUp(await loginAs(app, user), { code: await totpCode(secret, clock.now() - STEP) })).res.status).toBe(200);
    expect((await stepUp(await loginAs(app, user), { code: await totpCode(secret, clock.now() + STEP) })).res.status).toBe(200);
    expect((await stepUp(await loginAs(app, user), { code: await totpCode(secret, clock.now() - 2 * STEP) })).res.status).toBe(400);
    expect((await stepUp(await loginAs(app, user), { code: await totpCode(secret, clock.now() + 2 * STEP) })).res.status).toBe(400);
  });

  it('takes a recovery code instead of a TOTP code, once', async () => {
    const user = await newUser();
    const { recoveryCodes } = await enroll(await loginAs(app, user));
    const first = await stepUp(await loginAs(app, user), { recoveryCode: recoveryCodes[0] });
    expect(first.res.status).toBe(200);
    expect((await request(server()).get('/me').set('Cookie', first.session!.cookie)).body.amr).toEqual(['pwd', 'otp']);
    const reuse = await stepUp(await loginAs(app, user), { recoveryCode: recoveryCodes[0] });
    expect(reuse.res.status).toBe(400);
    expect(reuse.res.body.message).toBe('Invalid or already used code');
    const typed = recoveryCodes[1].toLowerCase().replace(/-/g, ' ');
    expect((await stepUp(await loginAs(app, user), { recoveryCode: typed })).res.status).toBe(200);
    expect(app.get(InMemoryMfaDirectory).enrollments.get(user.id)!.recoveryCodeHashes).toHaveLength(8);
  });

  it('locks verification with 429 and Retry-After after 5 wrong codes, the right one included, until the lockout ends', async () => {
    const user = await newUser();
    const { secret } = await enroll(await loginAs(app, user));
    const session = await loginAs(app, user);
    for (let i = 0; i < 5; i++) expect((await stepUp(session, { code: '000000' })).res.status).toBe(400);
    const locked = await stepUp(session, { code: await totpCode(secret, clock.now()) });
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers['retry-after'])).toBeGreaterThan(0);
    const lockedRecovery = await stepUp(session, { recoveryCode: 'AAAA-AAAA-AAAA-AAAA' });
    expect(lockedRecovery.res.status).toBe(429);
    clock.advance(15 * 60_000);
    // The idle timeout (30 min) has not passed, so the same session can step up now.
    expect((await stepUp(session, { code: await totpCode(secret, clock.now()) })).res.status).toBe(200);
  });

  it('cannot be skipped on another login path: session, bearer token and management routes all demand the factor', async () => {
    const user = await newUser();
    await enroll(await loginAs(app, user));
    const session = await loginAs(app, user);
    await request(server()).get('/vault').set('Cookie', session.cookie).expect(403);

    const bearer = async (amr?: string[]) => {
      const token = await signTestToken({ sub: user.id, ...(amr ? { amr } : {}) }, { now: clock.now() });
      return request(server()).get('/vault').set('Authorization', `Bearer ${token}`);
    };
    expect((await bearer()).status).toBe(403);
    expect((await bearer(['pwd'])).status).toBe(403);
    expect((await bearer(['pwd', 'otp'])).status).toBe(200);

    const disable = await request(server()).delete('/auth/mfa/totp').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
    expect(disable.status).toBe(403);
    await post('/auth/mfa/recovery-codes', session).expect(403);
    await post('/auth/mfa/totp', session).expect(409); // no replacing the secret with a password alone
    expect(await app.get(TotpService).isEnrolled(user.id)).toBe(true);
  });

  it('with a second factor: regenerates recovery codes (old ones stop working) and turns TOTP off', async () => {
    const user = await newUser();
    const { secret, recoveryCodes: old } = await enroll(await loginAs(app, user));
    const { session } = await stepUp(await loginAs(app, user), { code: await totpCode(secret, clock.now()) });
    const fresh = await post('/auth/mfa/recovery-codes', session!);
    expect(fresh.status).toBe(200);
    const codes = fresh.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect((await stepUp(await loginAs(app, user), { recoveryCode: old[0] })).res.status).toBe(400);
    expect((await stepUp(await loginAs(app, user), { recoveryCode: codes[0] })).res.status).toBe(200);

    const off = await request(server()).delete('/auth/mfa/totp').set('Cookie', session!.cookie).set('X-CSRF-Token', session!.csrf);
    expect(off.status).toBe(204);
    const none = await stepUp(await loginAs(app, user), { code: '123456' });
    expect(none.res.status).toBe(403);
    expect(none.res.body.message).toBe('Two-factor authentication is not enabled for this account');
    await post('/auth/mfa/totp', await loginAs(app, user)).expect(200);
  });

  it('validates the step-up body', async () => {
    const session = await loginAs(app, await newUser());
    const text = await post('/auth/session/mfa', session).set('Content-Type', 'text/plain').send('{"code":"123456"}');
    expect(text.status).toBe(415);
    const cases: [object, string][] = [
      [{}, 'Send "code" or "recoveryCode"'],
      [{ code: 123456 }, '"code" must be a non-empty string'],
      [{ code: '' }, '"code" must be a non-empty string'],
      [{ recoveryCode: 'x'.repeat(65) }, '"recoveryCode" must be at most 64 characters'],
    ];
    for (const [body, message] of cases) {
      const res = await post('/auth/session/mfa', session).send(body);
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message });
    }
    expect(setCookies(await post('/auth/session/mfa', session).send({}))).toEqual([]);
  });

  it('TotpService.verify serves any login path\'s second step (e.g. the token endpoint), once per code', async () => {
    const user = await newUser();
    const { secret } = await enroll(await loginAs(app, user));
    const totp = app.get(TotpService);
    const code = await totpCode(secret, clock.now());
    await expect(totp.verify(user.id, code)).resolves.toBeUndefined();
    const replay = totp.verify(user.id, code);
    await expect(replay).rejects.toBeInstanceOf(AuthError);
    await expect(replay).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(totp.verify('u-nobody', code)).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe.each(ADAPTERS)('TOTP configuration (%s)', (adapter) => {
  it('fails at boot when mfa is configured without an MfaDirectory', async () => {
    @Module({
      imports: [AuthModule.forRoot({ ...SESSIONS_OPTIONS, recovery: undefined, passwords: CHEAP_ARGON2 })],
      providers: [InMemoryUsers, { provide: UserDirectory, useExisting: InMemoryUsers }],
    })
    class NoDirectoryModule {}
    await expect(createApp(adapter, { imports: [NoDirectoryModule] })).rejects.toThrow(/the mfa option needs an MfaDirectory/);
  });

  it('fails at boot when mfaEndpoints are mounted without the mfa option, or the window is too wide', async () => {
    await expect(createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, mfa: undefined }, { mfaEndpoints: true })] })).rejects.toThrow(
      /mfaEndpoints are mounted but the mfa option is missing/,
    );
    await expect(createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, mfa: { window: 3 } })] })).rejects.toThrow(
      /mfa.window must be 0, 1 or 2/,
    );
  });

  it('answers 404 on the step-up route when mfa is not configured', async () => {
    const app = await createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, mfa: undefined }, { sessionEndpoints: true })] });
    try {
      const user = { id: 'u-zoe', username: 'zoe', password: 'zoe-password' };
      await app.get(InMemoryUsers).add(user);
      const session = await loginAs(app, user);
      const res = await request(app.getHttpServer())
        .post('/auth/session/mfa')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf)
        .send({ code: '123456' });
      expect(res.status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
