import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { jwtTestModule } from './fixtures/jwt-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

describe.each(ADAPTERS)('smoke (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [jwtTestModule()] });
  });
  afterAll(() => app.close());

  it('works', async () => {
    await request(app.getHttpServer()).get('/health').expect(200);
    const res = await request(app.getHttpServer()).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
    const token = await signTestToken({ roles: ['admin'] });
    const ok = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
    expect(ok.body).toEqual({ id: 'user-1', roles: ['admin'], scopes: [], strategy: 'jwt' });
  });
});
