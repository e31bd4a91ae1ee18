import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthGuard, AuthModule, CurrentUser, JwtStrategy, type Principal, Roles, Scopes } from '../lib/index.js';
import {
  actAs,
  expectForbidden,
  expectUnauthorized,
  FakeAuthStrategy,
  signTestToken,
} from '../lib/testing/index.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './helpers/tokens.js';

@Controller()
class ShopController {
  @Get('me')
  me(@CurrentUser() user: Principal) {
    return { id: user.id, roles: user.roles };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { ok: true };
  }

  @Scopes('orders:write')
  @Get('orders')
  orders() {
    return [];
  }
}

@Module({
  imports: [
    AuthModule.forRoot({
      realm: 'shop',
      jwt: { algorithms: ['HS256'], secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
    }),
  ],
  controllers: [ShopController],
})
class ShopModule {}

describe.each(ADAPTERS)('nest-warden/testing (%s)', (adapter) => {
  let app: INestApplication;
  afterEach(() => app.close());
  const get = (path: string) => request(app.getHttpServer()).get(path);

  it('actAs(): one line runs the app as a given user, with real authorization', async () => {
    app = await createApp(adapter, { imports: [ShopModule] }, {
      override: (b) => b.overrideProvider(JwtStrategy).useValue(actAs({ id: 'u-1', roles: ['user'] })),
    });
    expect((await get('/me').expect(200)).body).toEqual({ id: 'u-1', roles: ['user'] });
    expectForbidden(await get('/admin'));
    expectForbidden(await get('/orders'), { scopes: ['orders:write'] });
  });

  it('FakeAuthStrategy switches the caller per test: user, anonymous, invalid', async () => {
    const auth = new FakeAuthStrategy();
    app = await createApp(adapter, { imports: [ShopModule] }, { override: (b) => b.overrideProvider(JwtStrategy).useValue(auth) });
    auth.actAs({ id: 'admin-1', roles: ['admin'] });
    await get('/admin').expect(200);
    auth.anonymous();
    expectUnauthorized(await get('/admin'), { schemes: ['Bearer'], error: null });
    auth.rejectAll();
    expectUnauthorized(await get('/me'), { error: 'invalid_token' });
  });

  it('signTestToken() signs what the configured JWT strategy accepts', async () => {
    app = await createApp(adapter, { imports: [ShopModule] });
    const token = await signTestToken(app, { sub: 'u-2', roles: ['admin'], scopes: ['orders:write'] });
    await get('/admin').set('Authorization', `Bearer ${token}`).expect(200);
    await get('/orders').set('Authorization', `Bearer ${token}`).expect(200);
    const expired = await signTestToken(app, { sub: 'u-2' }, { now: Date.now() - 3_600_000 });
    expectUnauthorized(await get('/me').set('Authorization', `Bearer ${expired}`), { error: 'invalid_token' });
  });

  it('overrideProvider(AuthGuard) turns the global guard off for tests that do not care', async () => {
    // The global guard is bound with APP_GUARD + useExisting, so Nest overrides it as a provider
    // (overrideGuard() only reaches guards applied with @UseGuards()).
    app = await createApp(adapter, { imports: [ShopModule] }, {
      override: (b) => b.overrideProvider(AuthGuard).useValue({ canActivate: () => true }),
    });
    await get('/admin').expect(200);
  });

  it('the assertions explain what was wrong', async () => {
    app = await createApp(adapter, { imports: [ShopModule] });
    const res = await get('/me');
    expect(() => expectForbidden(res)).toThrow(/Expected 403 Forbidden\s+status: 401\s+www-authenticate: Bearer realm="shop"/);
    expect(() => expectUnauthorized(res, { schemes: ['Basic'] })).toThrow(/Expected challenges basic, got bearer/);
  });
});
