import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { Auth, AuthModule, type AuthModuleOptions, Clock, CurrentUser, MfaDirectory, type Principal, TotpService, UserDirectory } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { TOKEN_OPTIONS } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { InMemoryMfaDirectory, totpCode } from './helpers/mfa.js';
import { sessionFrom } from './helpers/sessions.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { ALICE, BOB, CHEAP_ARGON2, InMemoryUsers } from './helpers/users.js';

@Controller()
class PolicyController {
  @Auth('basic')
  @Get('basic/me')
  basic(@CurrentUser() user: Principal) {
    return { id: user.id, amr: user.amr };
  }

  @Auth('session', 'jwt')
  @Get('me')
  me(@CurrentUser() user: Principal) {
    return { id: user.id, amr: user.amr };
  }

  @Auth({ mfa: true })
  @Get('vault')
  vault() {
    return { secret: 'behind a second factor' };
  }
}

function policyModule(mfa: AuthModuleOptions['mfa']) {
  @Module({
    imports: [
      AuthModule.forRoot({
        realm: 'test',
        passwords: CHEAP_ARGON2,
        basic: {},
        session: {},
        tokens: TOKEN_OPTIONS,
        mfa,
        sessionEndpoints: true,
        tokenEndpoints: true,
      }),
    ],
    controllers: [PolicyController],
    providers: [
      InMemoryUsers,
      { provide: UserDirectory, useExisting: InMemoryUsers },
      InMemoryMfaDirectory,
      { provide: MfaDirectory, useExisting: InMemoryMfaDirectory },
    ],
  })
  class PolicyModule {}
  return PolicyModule;
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const cases = ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant.name, variant] as const));

/**
 * Issue 18 item 7: one second-factor policy for every path that takes a password. ALICE has TOTP
 * enrolled, BOB has not. By default (`mfa.passwordLogins: 'require'`) ALICE signs in only with her
 * code, on every path, and a missing or wrong code gets the wrong-password answer.
 */
describe.each(cases)('issue 18 item 7: the second factor on every password path (%s, %s)', (adapter, _name, variant) => {
  let app: INestApplication;
  let secret: string;
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  const server = () => app.getHttpServer();

  async function boot(mfa: AuthModuleOptions['mfa'] = {}): Promise<void> {
    app = await createApp(adapter, { imports: [policyModule(mfa)] }, {
      override: (builder) => variant.override(builder.overrideProvider(Clock).useValue(clock)),
    });
    const users = app.get(InMemoryUsers);
    await users.add(ALICE);
    await users.add(BOB);
    const totp = app.get(TotpService);
    secret = (await totp.beginEnrollment(ALICE.id, ALICE.username)).secret;
    await totp.confirmEnrollment(ALICE.id, await totpCode(secret, clock.now()));
    clock.advance(60_000); // the confirming code is spent; later codes are fresh
  }
  afterEach(() => app.close());

  const code = () => totpCode(secret, clock.now());
  const grant = (form: Record<string, string>) =>
    request(server()).post('/auth/token').type('form').send({ grant_type: 'password', ...form });
  const sessionLogin = (body: Record<string, string>) => request(server()).post('/auth/session').send(body);
  /** What a client sees of an answer: status, challenge and body. */
  const shape = (res: request.Response) => ({ status: res.status, challenge: res.headers['www-authenticate'], body: res.body as unknown });

  it('HTTP Basic: the right password of an enrolled account gets exactly the wrong-password 401 (Basic carries no second factor)', async () => {
    await boot();
    const right = await request(server()).get('/basic/me').set('Authorization', basic(ALICE.username, ALICE.password));
    const wrong = await request(server()).get('/basic/me').set('Authorization', basic(ALICE.username, 'wrong'));
    expect(right.status).toBe(401);
    expect(shape(right)).toEqual(shape(wrong));
    // An account without a second factor is not affected.
    await request(server()).get('/basic/me').set('Authorization', basic(BOB.username, BOB.password)).expect(200, { id: BOB.id, amr: ['pwd'] });
  });

  it('session login: an enrolled account needs its code with the password; without it, the wrong-password answer', async () => {
    await boot();
    const right = await sessionLogin({ username: ALICE.username, password: ALICE.password });
    const wrong = await sessionLogin({ username: ALICE.username, password: 'wrong' });
    expect(right.status).toBe(401);
    expect(right.headers['set-cookie']).toBeUndefined();
    expect(shape(right)).toEqual(shape(wrong));
    expect(right.body.message).toBe('Invalid username or password');
    const wrongCode = await sessionLogin({ username: ALICE.username, password: ALICE.password, code: '000000' });
    expect(shape(wrongCode)).toEqual(shape(wrong));

    const ok = await sessionLogin({ username: ALICE.username, password: ALICE.password, code: await code() });
    expect(ok.status).toBe(200);
    const session = sessionFrom(ok, ok.body.csrfToken as string);
    await request(server()).get('/me').set('Cookie', session.cookie).expect(200, { id: ALICE.id, amr: ['pwd', 'otp'] });
    await request(server()).get('/vault').set('Cookie', session.cookie).expect(200);
  });

  it('password grant: no answer tells a right password from a wrong one before the second factor passed', async () => {
    await boot();
    const wrong = shape(await grant({ username: ALICE.username, password: 'wrong' }));
    expect(shape(await grant({ username: ALICE.username, password: ALICE.password }))).toEqual(wrong);
    expect(shape(await grant({ username: ALICE.username, password: ALICE.password, otp: '000000' }))).toEqual(wrong);
    expect(shape(await grant({ username: ALICE.username, password: ALICE.password, recovery_code: 'AAAA-AAAA-AAAA-AAAA' }))).toEqual(wrong);
    clock.advance(30_000);
    const ok = await grant({ username: ALICE.username, password: ALICE.password, otp: await code() }).expect(200);
    expect(decodeJwt(ok.body.access_token as string).amr).toEqual(['pwd', 'otp']);
  });

  it('a right password without the second factor counts as a failure and never resets the lockout counter', async () => {
    await boot();
    for (let i = 0; i < 4; i++) await grant({ username: ALICE.username, password: `wrong-${i}` }).expect(400);
    // Before: this reset the account's failures (the password was right), and the attacker got 5 more guesses.
    await request(server()).get('/basic/me').set('Authorization', basic(ALICE.username, ALICE.password)).expect(401);
    const locked = await grant({ username: ALICE.username, password: ALICE.password, otp: await code() });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("mfa.passwordLogins 'step-up' (opt-in): the password alone signs in with amr pwd, and @Auth({ mfa: true }) still asks for the factor", async () => {
    await boot({ passwordLogins: 'step-up' });
    await request(server()).get('/basic/me').set('Authorization', basic(ALICE.username, ALICE.password)).expect(200, { id: ALICE.id, amr: ['pwd'] });
    const res = await grant({ username: ALICE.username, password: ALICE.password }).expect(200);
    expect(decodeJwt(res.body.access_token as string).amr).toEqual(['pwd']);
    await request(server()).get('/vault').set('Authorization', `Bearer ${res.body.access_token as string}`).expect(403);
    // A code sent with the password is still checked.
    await grant({ username: ALICE.username, password: ALICE.password, otp: '000000' }).expect(400);
    const stepped = await grant({ username: ALICE.username, password: ALICE.password, otp: await code() }).expect(200);
    expect(decodeJwt(stepped.body.access_token as string).amr).toEqual(['pwd', 'otp']);
  });
});
