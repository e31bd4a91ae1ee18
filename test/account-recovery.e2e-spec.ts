import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { RecoveryContext } from '../lib/account-recovery/recovery-context.js';
import { createHash } from 'node:crypto';
import { AuthStore, Clock, UserRevocation } from '../lib/index.js';
import { SESSIONS_OPTIONS, sessionsTestModule } from './fixtures/sessions-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { CapturingMailer, InMemoryContacts } from './helpers/mailer.js';
import { InMemoryMfaDirectory, totpCode } from './helpers/mfa.js';
import { loginAs, sessionFrom } from './helpers/sessions.js';
import { InMemoryUsers, type TestUser } from './helpers/users.js';

const RESET_ANSWER = { message: 'If an account uses this address, a link to reset its password has been sent' };

describe.each(ADAPTERS)('password reset and email verification (%s)', (adapter) => {
  let app: INestApplication;
  const clock = new FakeClock();
  const server = () => app.getHttpServer();
  let serial = 0;
  let mailer: CapturingMailer;
  const revoked: string[] = [];

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [sessionsTestModule()] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
    mailer = app.get(CapturingMailer);
    app.get(UserRevocation).subscribe((userId, reason) => {
      revoked.push(`${userId}:${reason}`);
    });
  });
  afterAll(() => app.close());
  beforeEach(() => mailer.drain());

  /** A fresh user with an address, so rate limits and tokens never leak between tests. */
  async function newUser(): Promise<TestUser & { email: string }> {
    const name = `user${++serial}`;
    const user = { id: `u-${name}`, username: name, password: `${name}-password`, email: `${name}@example.test` };
    await app.get(InMemoryUsers).add(user);
    app.get(InMemoryContacts).emails.set(user.id, user.email);
    return user;
  }

  /** Every email started so far, once delivery (which happens after the answer) is done. */
  async function delivered() {
    await app.get(RecoveryContext).settled();
    return mailer.drain();
  }

  const requestReset = (email: string) => request(server()).post('/auth/password-reset').send({ email });

  async function resetToken(user: { email: string }): Promise<string> {
    await requestReset(user.email).expect(202);
    const [mail] = await delivered();
    return mail.token;
  }

  const comparable = (res: Response) => ({
    status: res.status,
    body: res.body as unknown,
    headers: Object.keys(res.headers)
      .filter((name) => name !== 'date' && name !== 'etag' && name !== 'x-response-time')
      .sort()
      .map((name) => [name, res.headers[name]]),
  });

  it('answers a reset request the same for known and unknown addresses; only a real account gets mail', async () => {
    const user = await newUser();
    const known = await requestReset(user.email);
    const unknown = await requestReset('nobody@example.test');
    expect(known.status).toBe(202);
    expect(known.body).toEqual(RESET_ANSWER);
    expect(comparable(unknown)).toEqual(comparable(known));
    const mails = await delivered();
    expect(mails).toEqual([
      {
        kind: 'password-reset',
        to: user.email,
        userId: user.id,
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: clock.now() + 30 * 60_000,
      },
    ]);
  });

  it('matches the address case-insensitively and stores only a hash of the token', async () => {
    const user = await newUser();
    await requestReset(`  ${user.email.toUpperCase()} `).expect(202);
    const [mail] = await delivered();
    expect(mail.to).toBe(user.email);
    const store = app.get(AuthStore);
    expect(await store.get(`recovery:reset:${mail.token}`)).toBeNull();
    const hashed = await store.get(`recovery:reset:${createHash('sha256').update(mail.token).digest('base64url')}`);
    expect(hashed).not.toBeNull();
    expect(hashed).not.toContain(mail.token);
  });

  it('sets the new password, ends every session of the user and tells other revocation listeners', async () => {
    const user = await newUser();
    const laptop = await loginAs(app, user);
    const phone = await loginAs(app, user);
    const token = await resetToken(user);
    const res = await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'a-brand-new-password' });
    expect(res.status).toBe(204);
    await request(server()).get('/me').set('Cookie', laptop.cookie).expect(401);
    await request(server()).get('/me').set('Cookie', phone.cookie).expect(401);
    expect(revoked).toContain(`${user.id}:password-reset`);
    await request(server()).post('/auth/session').send({ username: user.username, password: user.password }).expect(401);
    await loginAs(app, { username: user.username, password: 'a-brand-new-password' });
  });

  it('refuses a reset token the second time', async () => {
    const user = await newUser();
    const token = await resetToken(user);
    await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'first-new-password' }).expect(204);
    const reuse = await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'second-new-password' });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toEqual({ statusCode: 400, message: 'The reset link is invalid or has expired', error: 'Bad Request' });
    await loginAs(app, { username: user.username, password: 'first-new-password' });
  });

  it('refuses an expired token, an unknown token and a malformed one the same way', async () => {
    const user = await newUser();
    const token = await resetToken(user);
    clock.advance(30 * 60_000 + 1);
    for (const candidate of [token, 'A'.repeat(43), 'short', 'x'.repeat(128)]) {
      const res = await request(server()).post('/auth/password-reset/confirm').send({ token: candidate, password: 'another-password' });
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: 'The reset link is invalid or has expired' });
    }
  });

  it('kills older reset links once the password has changed', async () => {
    const user = await newUser();
    const first = await resetToken(user);
    const second = await resetToken(user);
    await request(server()).post('/auth/password-reset/confirm').send({ token: second, password: 'changed-password' }).expect(204);
    await request(server()).post('/auth/password-reset/confirm').send({ token: first, password: 'attacker-password' }).expect(400);
  });

  it('refuses a too-short new password without using the token up', async () => {
    const user = await newUser();
    const token = await resetToken(user);
    const short = await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.message).toBe('The password must have at least 8 characters');
    const tooLong = await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'x'.repeat(2000) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toBe('Password must be at most 1024 bytes');
    await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'long-enough-password' }).expect(204);
  });

  it('does not turn off the second factor: after a reset, the new password alone does not sign in (mfa.passwordLogins require)', async () => {
    const user = await newUser();
    await app.get(InMemoryMfaDirectory).saveTotp(user.id, { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', recoveryCodeHashes: [] });
    const token = await resetToken(user);
    await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'reset-password-1' }).expect(204);
    await request(server()).post('/auth/session').send({ username: user.username, password: 'reset-password-1' }).expect(401);
    const code = await totpCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', clock.now());
    const res = await request(server()).post('/auth/session').send({ username: user.username, password: 'reset-password-1', code }).expect(200);
    const session = sessionFrom(res, res.body.csrfToken as string);
    await request(server()).get('/vault').set('Cookie', session.cookie).expect(200);
  });

  it('sends at most 5 emails per address and hour, answering the same after that', async () => {
    const user = await newUser();
    for (let i = 0; i < 7; i++) expect((await requestReset(user.email)).body).toEqual(RESET_ANSWER);
    expect(await delivered()).toHaveLength(5);
    clock.advance(60 * 60_000);
    await requestReset(user.email).expect(202);
    expect(await delivered()).toHaveLength(1);
  });

  it('validates the request body', async () => {
    const text = await request(server()).post('/auth/password-reset').set('Content-Type', 'text/plain').send('{"email":"a@b"}');
    expect(text.status).toBe(415);
    const cases: [object, string][] = [
      [{}, '"email" must be a non-empty string'],
      [{ email: 42 }, '"email" must be a non-empty string'],
      [{ email: 'not-an-address' }, '"email" must be an email address'],
    ];
    for (const [body, message] of cases) {
      const res = await request(server()).post('/auth/password-reset').send(body);
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message });
    }
    const confirm = await request(server()).post('/auth/password-reset/confirm').send({ token: 'x' });
    expect(confirm.status).toBe(400);
    expect(confirm.body.message).toBe('"password" must be a non-empty string');
  });

  it('keeps answering 202 when the mailer fails', async () => {
    const user = await newUser();
    const send = mailer.send.bind(mailer);
    mailer.send = () => Promise.reject(new Error('SMTP down'));
    try {
      const res = await requestReset(user.email);
      expect(res.status).toBe(202);
      expect(res.body).toEqual(RESET_ANSWER);
      expect(await delivered()).toEqual([]);
    } finally {
      mailer.send = send;
    }
  });

  describe('email verification', () => {
    it('sends a link to the signed-in user and marks the address verified once', async () => {
      const user = await newUser();
      const session = await loginAs(app, user);
      const res = await request(server()).post('/auth/email-verification').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: 'A verification link has been sent to your address' });
      const [mail] = await delivered();
      expect(mail).toEqual({
        kind: 'email-verification',
        to: user.email,
        userId: user.id,
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: clock.now() + 24 * 60 * 60_000,
      });
      await request(server()).post('/auth/email-verification/confirm').send({ token: mail.token }).expect(204);
      expect(app.get(InMemoryContacts).verified.has(`${user.id}:${user.email}`)).toBe(true);
      const reuse = await request(server()).post('/auth/email-verification/confirm').send({ token: mail.token });
      expect(reuse.status).toBe(400);
      expect(reuse.body.message).toBe('The verification link is invalid or has expired');
    });

    it('needs a signed-in caller (and the CSRF token with a session)', async () => {
      await request(server()).post('/auth/email-verification').expect(401);
      const session = await loginAs(app, await newUser());
      await request(server()).post('/auth/email-verification').set('Cookie', session.cookie).expect(403);
    });

    it('refuses a link sent to an address the user no longer has', async () => {
      const user = await newUser();
      const session = await loginAs(app, user);
      await request(server()).post('/auth/email-verification').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(202);
      const [mail] = await delivered();
      app.get(InMemoryContacts).emails.set(user.id, `new-${user.email}`);
      await request(server()).post('/auth/email-verification/confirm').send({ token: mail.token }).expect(400);
      expect([...app.get(InMemoryContacts).verified].some((entry) => entry.startsWith(`${user.id}:`))).toBe(false);
    });

    it('does not accept a reset token as a verification token, nor the reverse', async () => {
      const user = await newUser();
      const token = await resetToken(user);
      await request(server()).post('/auth/email-verification/confirm').send({ token }).expect(400);
      await request(server()).post('/auth/password-reset/confirm').send({ token, password: 'still-valid-password' }).expect(204);
    });
  });
});

describe.each(ADAPTERS)('recovery configuration (%s)', (adapter) => {
  it('fails at boot when recoveryEndpoints are mounted without the recovery option', async () => {
    await expect(
      createApp(adapter, { imports: [sessionsTestModule({ ...SESSIONS_OPTIONS, recovery: undefined }, { recoveryEndpoints: true })] }),
    ).rejects.toThrow(/recoveryEndpoints are mounted but the recovery option is missing/);
  });
});
