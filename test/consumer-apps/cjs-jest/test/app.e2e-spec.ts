import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Clock, JwtStrategy } from 'nest-warden';
import { actAs, expectForbidden, expectUnauthorized, FakeClock, signTestToken } from 'nest-warden/testing';
import { AppModule } from '../src/app.module';

describe('AppController (e2e)', () => {
  let app: INestApplication;
  afterEach(() => app.close());

  it('lets an admin in', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(JwtStrategy)
      .useValue(actAs({ id: 'u1', roles: ['admin'] }))
      .compile();
    app = await moduleRef.createNestApplication().init();

    await request(app.getHttpServer()).get('/admin/stats').expect(200, { requestedBy: 'u1', users: 2 });
  });

  it('keeps a user out with 403 and a stranger with 401', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(JwtStrategy)
      .useValue(actAs({ id: 'u2', roles: ['user'] }))
      .compile();
    app = await moduleRef.createNestApplication().init();

    expectForbidden(await request(app.getHttpServer()).get('/admin/stats'));
    await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok' });
  });

  it('verifies real tokens against the fake clock', async () => {
    const clock = new FakeClock();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = await moduleRef.createNestApplication().init();
    const token = await signTestToken(app, { sub: 'u3', roles: ['admin'] }, { now: clock.now() });

    await request(app.getHttpServer()).get('/admin/stats').set('Authorization', `Bearer ${token}`).expect(200);
    clock.advance(10 * 60_000);
    expectUnauthorized(await request(app.getHttpServer()).get('/admin/stats').set('Authorization', `Bearer ${token}`), {
      error: 'invalid_token',
    });
    expectUnauthorized(await request(app.getHttpServer()).get('/admin/stats'), { schemes: ['Bearer'], error: null });
  });
});
