// The examples of docs/testing.md, run as tests so they cannot rot.
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthGuard, AuthModule, Clock, CurrentUser, JwtStrategy, type Principal, Roles, Scopes } from '../../lib/index.js';
// --- example: imports
import { actAs, expectForbidden, expectUnauthorized, FakeAuthStrategy, FakeClock, signTestToken } from '../../lib/testing/index.js';
// --- end

@Controller()
class AdminController {
  @Roles('admin')
  @Get('admin/stats')
  stats(@CurrentUser() user: Principal) {
    return { requestedBy: user.id };
  }

  @Roles('admin')
  @Get('admin/ping')
  ping() {
    return { pong: true };
  }

  @Scopes('items:write')
  @Get('items/export')
  exportItems() {
    return { exported: true };
  }
}

@Module({
  imports: [AuthModule.forRoot({ jwt: { algorithms: ['HS256'], secret: 'a-test-secret-of-at-least-32-bytes!!' } })],
  controllers: [AdminController],
})
class AppModule {}

describe('docs/testing.md', () => {
  let app: INestApplication;
  afterEach(() => app.close());

  it('runs the app as a given user with one line', async () => {
    // --- example: act-as
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(JwtStrategy)
      .useValue(actAs({ id: 'u1', roles: ['admin'] }))
      .compile();
    app = await moduleRef.createNestApplication().init();

    await request(app.getHttpServer()).get('/admin/stats').expect(200, { requestedBy: 'u1' });
    // --- end
  });

  it('switches the caller per test', async () => {
    // --- example: fake-strategy
    const auth = new FakeAuthStrategy();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(JwtStrategy)
      .useValue(auth)
      .compile();
    app = await moduleRef.createNestApplication().init();

    auth.actAs({ id: 'u2', roles: ['user'] });
    expectForbidden(await request(app.getHttpServer()).get('/admin/stats'));

    auth.anonymous();
    expectUnauthorized(await request(app.getHttpServer()).get('/admin/stats'), { schemes: ['Bearer'], error: null });
    // --- end
  });

  it('asserts 401 and 403 with their challenges', async () => {
    const auth = new FakeAuthStrategy();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(JwtStrategy).useValue(auth).compile();
    app = await moduleRef.createNestApplication().init();
    const get = (path: string) => request(app.getHttpServer()).get(path);

    // --- example: assertions
    auth.anonymous(); // no credentials: 401, challenge without error
    expectUnauthorized(await get('/admin/stats'), { schemes: ['Bearer'], error: null });

    auth.rejectAll(); // bad credentials: 401 error="invalid_token"
    expectUnauthorized(await get('/admin/stats'), { error: 'invalid_token' });

    auth.actAs({ id: 'u4', scopes: ['items:read'] }); // 403 insufficient_scope listing the scopes
    expectForbidden(await get('/items/export'), { scopes: ['items:write'] });
    // --- end
  });

  it('signs real tokens for the configured strategy, and moves time with FakeClock', async () => {
    // --- example: sign-test-token
    const clock = new FakeClock(); // 2026-01-01T00:00:00Z until moved
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.createNestApplication().init();
    const get = (token: string) => request(app.getHttpServer()).get('/admin/stats').set('Authorization', `Bearer ${token}`);

    const token = await signTestToken(app, { sub: 'u3', roles: ['admin'] }, { now: clock.now() }); // lives 300 s
    await get(token).expect(200, { requestedBy: 'u3' });

    clock.advance(10 * 60_000);
    expectUnauthorized(await get(token), { error: 'invalid_token' }); // The access token expired
    // --- end
  });

  it('turns the guard off', async () => {
    // --- example: guard-off
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(AuthGuard)
      .useValue({ canActivate: () => true })
      .compile();
    app = await moduleRef.createNestApplication().init();
    // --- end
    await request(app.getHttpServer()).get('/admin/ping').expect(200, { pong: true });
  });
});
