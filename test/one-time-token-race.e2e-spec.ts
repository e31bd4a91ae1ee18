import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecoveryContext } from '../lib/account-recovery/recovery-context.js';
import { AuthStore, Clock, TotpService } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { SESSIONS_OPTIONS, sessionsTestModule } from './fixtures/sessions-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { CapturingMailer, InMemoryContacts } from './helpers/mailer.js';
import { InMemoryMfaDirectory, totpCode } from './helpers/mfa.js';
import { loginAs, type TestSession } from './helpers/sessions.js';
import { MEMORY_STORE, REDIS_CLUSTER_STORE } from './helpers/store-variants.js';
import { InMemoryUsers } from './helpers/users.js';

const PARALLEL = 100;
const cases = ADAPTERS.flatMap((adapter) => [MEMORY_STORE, REDIS_CLUSTER_STORE].map((store) => [adapter, store.name, store] as const));

/**
 * Spring CVE-2026-22751: a one-time token redeemed twice by racing requests. Each of ours is
 * redeemed by one atomic store operation (a compare-and-swap on the token's key, or a per-user lock
 * taken before a recovery code is deleted), so of 100 parallel requests with one token exactly one
 * succeeds, on two instances sharing the store. (nest-warden has no OAuth authorization-code flow,
 * hence no authorization `state` to redeem.)
 */
describe.each(cases)('Spring CVE-2026-22751: one-time tokens under 100 parallel redemptions (%s, %s)', (adapter, _name, variant) => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  let apps: INestApplication[];
  let serial = 0;

  beforeAll(async () => {
    const [first, second] = variant.pair();
    // One user table, one contact table and one MFA table behind both instances, as one database would be.
    const users = new InMemoryUsers();
    const contacts = new InMemoryContacts();
    const mfa = new InMemoryMfaDirectory();
    // A high attempt limit, so that every racing recovery-code request reaches the code itself.
    const options = { ...SESSIONS_OPTIONS, mfa: { issuer: 'Nest Warden Test', maxAttempts: 1_000, passwordLogins: 'step-up' as const } };
    apps = await Promise.all(
      [first, second].map((store) =>
        createApp(adapter, { imports: [sessionsTestModule(options)] }, {
          override: (b) =>
            b
              .overrideProvider(Clock)
              .useValue(clock)
              .overrideProvider(AuthStore)
              .useValue(store)
              .overrideProvider(InMemoryUsers)
              .useValue(users)
              .overrideProvider(InMemoryContacts)
              .useValue(contacts)
              .overrideProvider(InMemoryMfaDirectory)
              .useValue(mfa),
        }),
      ),
    );
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function newUser() {
    const name = `${variant.clockDriven ? 'm' : 'r'}race${++serial}`;
    const user = { id: `u-${name}`, username: name, password: `${name}-password`, email: `${name}@example.test`, roles: ['user'] };
    await apps[0].get(InMemoryUsers).add(user);
    apps[0].get(InMemoryContacts).emails.set(user.id, user.email);
    return user;
  }

  async function mailed(app: INestApplication) {
    await app.get(RecoveryContext).settled();
    const [mail] = app.get(CapturingMailer).drain();
    return mail;
  }

  /** The statuses of `PARALLEL` requests, alternating between the two instances. */
  async function race(send: (server: ReturnType<INestApplication['getHttpServer']>) => request.Test): Promise<number[]> {
    const responses = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => send(apps[i % 2].getHttpServer())));
    return responses.map((res) => res.status);
  }

  it('a password-reset token sets a password once', async () => {
    const user = await newUser();
    await request(apps[0].getHttpServer()).post('/auth/password-reset').send({ email: user.email }).expect(202);
    const { token } = await mailed(apps[0]);
    const statuses = await race((server) => request(server).post('/auth/password-reset/confirm').send({ token, password: 'a-brand-new-password' }));
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(PARALLEL - 1);
  });

  it('an email-verification token verifies once', async () => {
    const user = await newUser();
    const session = await loginAs(apps[0], user);
    await request(apps[0].getHttpServer()).post('/auth/email-verification').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(202);
    const { token } = await mailed(apps[0]);
    const statuses = await race((server) => request(server).post('/auth/email-verification/confirm').send({ token }));
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(PARALLEL - 1);
  });

  it('a recovery code completes the second factor once, across 100 password-only sessions', async () => {
    const user = await newUser();
    const totp = apps[0].get(TotpService);
    const { secret } = await totp.beginEnrollment(user.id, user.username);
    const { recoveryCodes } = await totp.confirmEnrollment(user.id, await totpCode(secret, clock.now()));
    // One after the other: a burst of parallel logins would meet the password lockout's bound on checks in flight.
    const sessions: TestSession[] = [];
    for (let i = 0; i < PARALLEL; i++) sessions.push(await loginAs(apps[i % 2], user));
    let next = 0;
    const statuses = await race((server) => {
      const session = sessions[next++];
      return request(server).post('/auth/session/mfa').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).send({ recoveryCode: recoveryCodes[0] });
    });
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200 || status === 400 || status === 429)).toHaveLength(PARALLEL);
  });
});
