import { Controller, Get, type INestApplication } from '@nestjs/common';
import * as argon2 from 'argon2';
import request from 'supertest';
import { Auth, AuthModule, AuthStore, Clock, StoreUnavailableError, UserDirectory } from '../lib/index.js';
import { StrategyRegistry } from '../lib/strategies/strategy-registry.js';
import { BASIC_OPTIONS, basicTestModule } from './fixtures/basic-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { LogCapture } from './helpers/log-capture.js';
import { signTestToken } from './helpers/tokens.js';
import { ALICE, BOB, CHEAP_ARGON2, InMemoryUsers } from './helpers/users.js';

const CHALLENGE = 'Basic realm="test", charset="UTF-8"';
const INVALID = { statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' };
const basic = (text: string | Buffer) => `Basic ${Buffer.from(text).toString('base64')}`;

describe.each(ADAPTERS)('HTTP Basic (%s)', (adapter) => {
  let app: INestApplication;
  let clock: FakeClock;
  let users: InMemoryUsers;
  const http = () => request(app.getHttpServer());
  const whoami = (authorization?: string) => {
    const req = http().get('/basic/whoami');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  beforeAll(async () => {
    clock = new FakeClock();
    app = await createApp(adapter, { imports: [basicTestModule()] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
    users = app.get(InMemoryUsers);
    await users.add({ ...ALICE, permissions: ['posts:*'] });
    await users.add(BOB);
    await users.add({ id: 'u-jurgen', username: 'jürgen', password: 'pässwörd€🔑' });
    await users.add({ id: 'u-carol', username: 'carol', password: 'pa:ss:word' });
    await users.add({ id: 'u-dave', username: 'dave', password: 'dave-password', disabled: true });
  });
  afterAll(() => app.close());
  // Every test starts with no lockouts: move past any lockout and back-off a previous test left.
  beforeEach(() => clock.advance(48 * 60 * 60_000));

  it('authenticates through PasswordLogin and maps the account to a principal', async () => {
    const res = await whoami(basic('alice:alice-password')).expect(200);
    expect(res.body).toEqual({
      id: 'u-alice',
      username: 'alice',
      roles: ['admin'],
      scopes: ['items:read', 'items:write'],
      permissions: ['posts:*'],
      amr: ['pwd'],
      strategy: 'basic',
    });
  });

  it('accepts the scheme name in any case and extra spaces before the credentials', async () => {
    await whoami(basic('bob:bob-password').replace('Basic', 'bAsIc')).expect(200);
    await whoami(basic('bob:bob-password').replace('Basic ', 'Basic   ')).expect(200);
  });

  it('decodes UTF-8 user names and passwords', async () => {
    const res = await whoami(basic('jürgen:pässwörd€🔑')).expect(200);
    expect(res.body).toMatchObject({ id: 'u-jurgen', username: 'jürgen' });
  });

  it('splits at the first colon: passwords may contain colons', async () => {
    await whoami(basic('carol:pa:ss:word')).expect(200);
  });

  it('answers 401 with realm and charset when no credentials are sent (RFC 7617 §2, §2.1)', async () => {
    for (const authorization of [undefined, 'Bearer', 'Digest username="alice"']) {
      const res = await whoami(authorization).expect(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      expect(res.body).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
    }
  });

  it('unknown user, wrong password and disabled account answer exactly alike', async () => {
    const answers = [];
    for (const credentials of ['alice:wrong-password', 'nobody:alice-password', 'dave:dave-password', 'ALICE:alice-password']) {
      const res = await whoami(basic(credentials)).expect(401);
      answers.push({ body: res.body, challenge: res.headers['www-authenticate'], type: res.headers['content-type'] });
    }
    for (const answer of answers) expect(answer).toEqual({ body: INVALID, challenge: CHALLENGE, type: answers[0].type });
  });

  it.each([
    ['an empty token', 'Basic '],
    ['invalid base64 alphabet', 'Basic YWxp!2U6YWxpY2UtcGFzc3dvcmQ='],
    ['base64 without padding', `Basic ${Buffer.from('alice:alice-password').toString('base64').replace(/=+$/, '')}`],
    ['non-canonical padding bits', 'Basic YWxpY2U6cHd='],
    ['Latin-1 instead of UTF-8', basic(Buffer.from('jürgen:pässwörd', 'latin1'))],
    ['no colon', basic('alice')],
    ['an empty user name', basic(':alice-password')],
    ['an empty password', basic('alice:')],
    ['both empty (Og==)', 'Basic Og=='],
    ['a control character', basic('alice:alice-password\u0000')],
    ['an oversized header (8 KB)', `Basic ${'QUFB'.repeat(2048)}`],
    ['two tokens', `${basic('alice:alice-password')} ${Buffer.from('x:y').toString('base64')}`],
  ])('answers 401, never 500, for %s', async (_label, authorization) => {
    const res = await whoami(authorization).expect(401);
    expect(res.body).toEqual(INVALID);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('locks an account after 5 failures: 429 with Retry-After, the right password too; other accounts unaffected', async () => {
    for (let i = 0; i < 5; i++) await whoami(basic('alice:wrong-password')).expect(401);
    const locked = await whoami(basic('alice:alice-password')).expect(429);
    expect(locked.headers['retry-after']).toBe('60');
    expect(locked.body).toEqual({ statusCode: 429, message: 'Too many failed attempts; try again later', error: 'Too Many Requests' });
    await whoami(basic('bob:bob-password')).expect(200);
    clock.advance(59_000);
    expect((await whoami(basic('alice:alice-password')).expect(429)).headers['retry-after']).toBe('1');
    clock.advance(1_000);
    await whoami(basic('alice:alice-password')).expect(200);
  });

  it('locks unknown user names exactly like real ones (no enumeration through lockout)', async () => {
    for (const username of ['alice', 'no-such-user']) {
      for (let i = 0; i < 5; i++) await whoami(basic(`${username}:wrong`)).expect(401);
      const res = await whoami(basic(`${username}:anything`)).expect(429);
      expect(res.headers['retry-after']).toBe('60');
    }
  });

  it('upgrades an outdated hash after a successful login (needsRehash)', async () => {
    const weak = await argon2.hash('erin-password', { type: argon2.argon2i, memoryCost: 512, timeCost: 1, parallelism: 1 });
    await users.add({ id: 'u-erin', username: 'erin', password: 'unused' });
    await users.updatePasswordHash('u-erin', weak);
    await whoami(basic('erin:erin-password')).expect(200);
    const upgraded = (await users.findByUsername('erin'))!.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    await whoami(basic('erin:erin-password')).expect(200);
  });

  describe("on a route with @Auth('jwt', 'basic')", () => {
    it('accepts either credential', async () => {
      const token = await signTestToken({ sub: 'user-9' }, { now: clock.now() });
      expect((await http().get('/mixed').set('Authorization', `Bearer ${token}`).expect(200)).body).toEqual({ id: 'user-9', strategy: 'jwt' });
      expect((await http().get('/mixed').set('Authorization', basic('bob:bob-password')).expect(200)).body).toEqual({ id: 'u-bob', strategy: 'basic' });
    });

    it('challenges with both schemes', async () => {
      const res = await http().get('/mixed').expect(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="test", ${CHALLENGE}`);
    });

    it('a wrong Basic password is final', async () => {
      const res = await http().get('/mixed').set('Authorization', basic('bob:wrong')).expect(401);
      expect(res.body).toEqual(INVALID);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="test", ${CHALLENGE}`);
    });
  });

  it('describes itself as an OpenAPI http/basic scheme', () => {
    expect(app.get(StrategyRegistry).get('basic')!.securityScheme()).toEqual({ type: 'http', scheme: 'basic', description: 'Your account' });
  });
});

describe.each(ADAPTERS)('HTTP Basic and per-address limits (%s)', (adapter) => {
  it('passes the client address to PasswordLogin: failures across accounts from one address lock that address', async () => {
    const app = await createApp(adapter, {
      imports: [basicTestModule({ ...BASIC_OPTIONS, lockout: { accountThreshold: 100, addressThreshold: 4 } })],
    });
    try {
      const users = app.get(InMemoryUsers);
      await users.add(ALICE);
      const http = () => request(app.getHttpServer());
      for (const name of ['a', 'b', 'c', 'd']) await http().get('/basic/whoami').set('Authorization', basic(`${name}:wrong`)).expect(401);
      const res = await http().get('/basic/whoami').set('Authorization', basic('alice:alice-password')).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});

/** The store as it looks while Redis is down: every call rejects with StoreUnavailableError. */
class UnreachableStore extends AuthStore {
  private fail(): Promise<never> {
    return Promise.reject(new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:6379'));
  }
  get = () => this.fail();
  set = () => this.fail();
  setIfAbsent = () => this.fail();
  delete = () => this.fail();
  increment = () => this.fail();
  compareAndSwap = () => this.fail();
  ttl = () => this.fail();
}

describe.each(ADAPTERS)('HTTP Basic when the lockout store is unreachable (%s)', (adapter) => {
  it('fails closed with 503, never 500 and never an unthrottled password check', async () => {
    const logs = new LogCapture();
    const app = await createApp(
      adapter,
      { imports: [basicTestModule()] },
      { override: (b) => b.overrideProvider(AuthStore).useValue(new UnreachableStore()), beforeInit: (a) => a.useLogger(logs) },
    );
    try {
      await app.get(InMemoryUsers).add(ALICE);
      const res = await request(app.getHttpServer()).get('/basic/whoami').set('Authorization', basic('alice:alice-password')).expect(503);
      expect(res.body).toEqual({ statusCode: 503, message: 'Login is temporarily unavailable', error: 'Service Unavailable' });
      expect(logs.messages('error').join('\n')).toContain('ECONNREFUSED 127.0.0.1:6379');
      expect(logs.text).not.toContain('alice-password');
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('HTTP Basic configuration (%s)', (adapter) => {
  @Controller()
  class OnlyBasicController {
    @Auth('basic')
    @Get('whoami')
    whoami() {
      return {};
    }
  }

  it('fails the boot when the app provides no UserDirectory', async () => {
    await expect(
      createApp(adapter, { imports: [AuthModule.forRoot({ basic: {}, passwords: CHEAP_ARGON2, global: false })], controllers: [OnlyBasicController] }),
    ).rejects.toThrow(/password logins need a UserDirectory.*provide: UserDirectory/);
  });

  it('fails the boot on a nonsensical length limit', async () => {
    await expect(
      createApp(adapter, {
        imports: [AuthModule.forRoot({ basic: { maxCredentialsLength: 0 }, passwords: CHEAP_ARGON2, global: false })],
        providers: [InMemoryUsers, { provide: UserDirectory, useExisting: InMemoryUsers }],
      }),
    ).rejects.toThrow(/basic\.maxCredentialsLength must be an integer/);
  });
});
