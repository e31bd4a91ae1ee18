import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthStore, Clock, MemoryStore, StoreUnavailableError, SystemClock, TotpService } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { SESSIONS_OPTIONS, sessionsTestModule } from './fixtures/sessions-app.js';

/** The step-up flow (a password session, then the second factor on it), where these attacks run. */
const STEP_UP = { ...SESSIONS_OPTIONS, mfa: { ...SESSIONS_OPTIONS.mfa, passwordLogins: 'step-up' as const } };
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { totpCode } from './helpers/mfa.js';
import { loginAs } from './helpers/sessions.js';
import { MEMORY_STORE, REDIS_CLUSTER_STORE } from './helpers/store-variants.js';
import { InMemoryUsers } from './helpers/users.js';

/**
 * Issue 18, item 1 (recovery codes): the old `mfa:recovery-used:` markers (1 % of MemoryStore, kept
 * 24 h, refused when full) filled after about 1,100 recovery-code uses by one user, which blocked
 * every user's recovery codes (503) for a day; and a code was deleted before the marker write that
 * then failed. Now a use holds one per-user lock, taken before the code is deleted and released
 * right after: nothing accumulates, and a failed write leaves the code usable.
 */
const USES = { MemoryStore: 1_100, 'Redis Cluster': 300 } as const;
const cases = ADAPTERS.flatMap((adapter) => [MEMORY_STORE, REDIS_CLUSTER_STORE].map((store) => [adapter, store.name, store] as const));

describe.each(cases)('recovery codes under a flood of one user (issue 18 item 1) (%s, %s)', (adapter, _name, variant) => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  let app: INestApplication;
  let serial = 0;

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [sessionsTestModule(STEP_UP)] }, { override: (b) => variant.override(b).overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => app.close());

  async function enrolled() {
    const name = `${variant.clockDriven ? 'm' : 'r'}rc${++serial}`;
    const user = { id: `u-${name}`, username: name, password: `${name}-password`, roles: ['user'] };
    await app.get(InMemoryUsers).add(user);
    const totp = app.get(TotpService);
    const { secret } = await totp.beginEnrollment(user.id, user.username);
    const { recoveryCodes } = await totp.confirmEnrollment(user.id, await totpCode(secret, clock.now()));
    return { user, recoveryCodes };
  }

  it(`another user's recovery code still works after one user used ${USES[variant.name as keyof typeof USES]} of theirs`, async () => {
    const attacker = await enrolled();
    const totp = app.get(TotpService);
    let refused = 0;
    for (let used = 0; used < USES[variant.name as keyof typeof USES]; used += 10) {
      const { recoveryCodes } = await totp.regenerateRecoveryCodes(attacker.user.id);
      for (const code of recoveryCodes) await totp.useRecoveryCode(attacker.user.id, code).catch(() => refused++);
    }

    const victim = await enrolled();
    const session = await loginAs(app, victim.user);
    const stepUp = (s: typeof session) =>
      request(app.getHttpServer()).post('/auth/session/mfa').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send({ recoveryCode: victim.recoveryCodes[0] });
    expect((await stepUp(session)).status).toBe(200);
    expect((await stepUp(await loginAs(app, victim.user))).status).toBe(400); // used once, gone
    expect(refused).toBe(0); // the attacker's own uses were never refused either: nothing accumulates
  });
});

/** A MemoryStore whose recovery-code writes can be made to fail, as a full or unreachable store would. */
class RecoveryWritesFail extends MemoryStore {
  failing = false;

  constructor() {
    super(new SystemClock());
  }

  override setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.failing && key.startsWith('mfa:recovery-used:')) return Promise.reject(new StoreUnavailableError('refused (test)'));
    return super.setIfAbsent(key, value, ttlMs);
  }
}

describe.each(ADAPTERS)('a recovery code is not used up when its use cannot be recorded (issue 18 item 1) (%s)', (adapter) => {
  it('answers 503 and the same code works once the store is back', async () => {
    const store = new RecoveryWritesFail();
    const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
    const app = await createApp(adapter, { imports: [sessionsTestModule(STEP_UP)] }, { override: (b) => b.overrideProvider(AuthStore).useValue(store).overrideProvider(Clock).useValue(clock) });
    try {
      const user = { id: 'u-rc', username: 'rc', password: 'rc-password', roles: ['user'] };
      await app.get(InMemoryUsers).add(user);
      const totp = app.get(TotpService);
      const { secret } = await totp.beginEnrollment(user.id, user.username);
      const { recoveryCodes } = await totp.confirmEnrollment(user.id, await totpCode(secret, clock.now()));
      const session = await loginAs(app, user);
      const stepUp = () =>
        request(app.getHttpServer()).post('/auth/session/mfa').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).send({ recoveryCode: recoveryCodes[0] });
      store.failing = true;
      expect((await stepUp()).status).toBe(503);
      store.failing = false;
      expect((await stepUp()).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
