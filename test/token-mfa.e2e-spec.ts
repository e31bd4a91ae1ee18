import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { Auth, AuthModule, Clock, CurrentUser, MfaDirectory, type Principal, TotpService, UserDirectory } from '../lib/index.js';
import { TOKEN_OPTIONS } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { InMemoryMfaDirectory, totpCode } from './helpers/mfa.js';
import { ALICE, BOB, CHEAP_ARGON2, InMemoryUsers } from './helpers/users.js';

@Controller()
class MfaRoutesController {
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

@Module({
  imports: [
    AuthModule.forRoot({ tokens: TOKEN_OPTIONS, mfa: { issuer: 'Token MFA Test' }, passwords: CHEAP_ARGON2, tokenEndpoints: true }),
  ],
  controllers: [MfaRoutesController],
  providers: [
    InMemoryUsers,
    { provide: UserDirectory, useExisting: InMemoryUsers },
    InMemoryMfaDirectory,
    { provide: MfaDirectory, useExisting: InMemoryMfaDirectory },
  ],
})
class TokenMfaModule {}

/** 2FA cannot be skipped by signing in through the token endpoint instead of the session login. */
describe.each(ADAPTERS)('token endpoint second factor (TOTP) (%s)', (adapter) => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  let app: INestApplication;
  let secret: string;
  let recoveryCodes: string[];

  beforeEach(async () => {
    app = await createApp(adapter, { imports: [TokenMfaModule] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
    const users = app.get(InMemoryUsers);
    await users.add(ALICE);
    await users.add(BOB);
    const totp = app.get(TotpService);
    const started = await totp.beginEnrollment(ALICE.id, ALICE.username);
    secret = started.secret;
    ({ recoveryCodes } = await totp.confirmEnrollment(ALICE.id, await totpCode(secret, clock.now())));
    clock.advance(60_000); // the confirming code is used; later codes are fresh
  });
  afterEach(() => app.close());

  const grant = (form: Record<string, string>) =>
    request(app.getHttpServer())
      .post('/auth/token')
      .type('form')
      .send({ grant_type: 'password', ...form });

  it('an enrolled user who sends only the password gets the wrong-password answer: nothing confirms the password (issue 18 item 7)', async () => {
    const right = await grant({ username: 'alice', password: ALICE.password }).expect(400);
    const wrong = await grant({ username: 'alice', password: 'wrong' }).expect(400);
    expect(right.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid username or password' });
    expect(right.body).toEqual(wrong.body);
  });

  it('password + otp issues a token with amr pwd+otp that passes @Auth({ mfa: true })', async () => {
    const res = await grant({ username: 'alice', password: ALICE.password, otp: await totpCode(secret, clock.now()) }).expect(200);
    expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd', 'otp']);
    const vault = await request(app.getHttpServer()).get('/vault').set('Authorization', `Bearer ${res.body.access_token}`);
    expect(vault.status).toBe(200);
  });

  it('a wrong code and a replayed code are refused, with the wrong-password answer', async () => {
    await grant({ username: 'alice', password: ALICE.password, otp: '000000' }).expect(400, {
      error: 'invalid_grant',
      error_description: 'Invalid username or password',
    });
    const code = await totpCode(secret, clock.now());
    await grant({ username: 'alice', password: ALICE.password, otp: code }).expect(200);
    await grant({ username: 'alice', password: ALICE.password, otp: code }).expect(400); // RFC 6238 §5.2: once only
  });

  it('a wrong password is refused before any code is looked at', async () => {
    const res = await grant({ username: 'alice', password: 'wrong', otp: await totpCode(secret, clock.now()) }).expect(400);
    expect(res.body.error_description).toBe('Invalid username or password');
  });

  it('a recovery code works once', async () => {
    await grant({ username: 'alice', password: ALICE.password, recovery_code: recoveryCodes[0] }).expect(200);
    await grant({ username: 'alice', password: ALICE.password, recovery_code: recoveryCodes[0] }).expect(400);
  });

  it('repeated wrong codes lock the second factor: 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i++) await grant({ username: 'alice', password: ALICE.password, otp: '000000' }).expect(400);
    const locked = await grant({ username: 'alice', password: ALICE.password, otp: await totpCode(secret, clock.now()) }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a user without TOTP signs in with the password alone, and mfa routes refuse that token', async () => {
    const res = await grant({ username: 'bob', password: BOB.password }).expect(200);
    expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd']);
    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
    await request(app.getHttpServer()).get('/vault').set('Authorization', `Bearer ${res.body.access_token}`).expect(403);
  });
});
