import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { JWTPayload } from 'jose';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { signTestToken, TEST_SECRET } from '../../test/helpers/tokens.js';
import { AppModule } from './authorization.example.js';

/** Runs the examples of docs/authorization.md, so what the guide claims is what the code does. */
describe.each(ADAPTERS)('docs/examples/authorization (%s)', (adapter) => {
  let app: INestApplication;
  const previousSecret = process.env.JWT_SECRET;

  beforeAll(async () => {
    process.env.JWT_SECRET = TEST_SECRET;
    app = await createApp(adapter, { imports: [AppModule] });
  });
  afterAll(async () => {
    await app.close();
    if (previousSecret === undefined) delete process.env.JWT_SECRET;
    else process.env.JWT_SECRET = previousSecret;
  });

  const call = async (method: 'get' | 'put' | 'post' | 'delete', path: string, claims?: JWTPayload) => {
    const req = request(app.getHttpServer())[method](path);
    if (!claims) return req;
    const token = await signTestToken({ iss: 'https://id.example.com', aud: 'api', ...claims });
    return req.set('Authorization', `Bearer ${token}`);
  };

  it('ownership: the author, an admin (bypass), 403 for others, 404 for unknown posts', async () => {
    expect((await call('get', '/posts/1', { sub: '7' })).body).toEqual({ id: '1', authorId: 7, title: 'Hello' });
    expect((await call('get', '/posts/1', { sub: '8' })).status).toBe(403);
    expect((await call('get', '/posts/1', { sub: '1', roles: ['admin'] })).status).toBe(200);
    expect((await call('get', '/posts/9', { sub: '7' })).status).toBe(404);
    expect((await call('get', '/posts/1')).status).toBe(401);
  });

  it('roles, hierarchy, mfa and permissions', async () => {
    expect((await call('get', '/posts/drafts', { sub: '8', roles: ['auditor'] })).status).toBe(200);
    expect((await call('put', '/posts/1', { sub: '7', roles: ['editor'] })).status).toBe(403);
    expect((await call('put', '/posts/1', { sub: '7', roles: ['editor'], amr: ['pwd', 'otp'] })).status).toBe(200);
    expect((await call('delete', '/posts/1', { sub: '8', roles: ['editor'] })).status).toBe(200);
    expect((await call('delete', '/posts/1', { sub: '8', roles: ['viewer'] })).status).toBe(403);
    expect((await call('get', '/posts/1/actions', { sub: '8', roles: ['admin'] })).body).toEqual({ canDelete: true, isEditor: true });
    expect((await call('get', '/admin/status')).status).toBe(200);
    expect((await call('get', '/admin/audit', { sub: '8', roles: ['auditor'] })).status).toBe(200);
    expect((await call('get', '/admin/users', { sub: '8', roles: ['auditor'] })).status).toBe(403);
    expect((await call('post', '/admin/tasks', { sub: '1', roles: ['admin'] })).status).toBe(403);
    expect((await call('post', '/admin/tasks', { sub: '1', roles: ['admin'], scope: 'admin:write' })).status).toBe(201);
  });

  it('scopes: 403 insufficient_scope naming the required scope', async () => {
    expect((await call('get', '/items', { sub: '8', scope: 'items:read' })).status).toBe(200);
    const denied = await call('post', '/items', { sub: '8', scope: 'items:read' });
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(
      'Bearer realm="nest-warden", error="insufficient_scope", error_description="The access token lacks a required scope", scope="items:write"',
    );
  });

  it('CurrentPrincipal: a service stamps the author from the caller of the request', async () => {
    expect((await call('post', '/notes', { sub: '42' })).body).toEqual({ text: 'hello', authorId: '42' });
    expect((await call('post', '/notes')).status).toBe(401);
  });
});
