import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Denial } from '../lib/index.js';
import { policiesTestModule } from './fixtures/policies-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

const problem = (status: number, title: string, detail: string, code: string, extra: Record<string, unknown> = {}) => ({
  type: 'about:blank',
  title,
  status,
  detail,
  code,
  ...extra,
});

describe.each(ADAPTERS)('errorResponse: problem+json (%s)', (adapter) => {
  let app: INestApplication;
  /** The same app with Nest's default bodies, to show the headers do not change with the format. */
  let plain: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [policiesTestModule({ errorResponse: 'problem+json' })] });
    plain = await createApp(adapter, { imports: [policiesTestModule()] });
  });
  afterAll(async () => {
    await app.close();
    await plain.close();
  });

  /** Sends the request to both apps; same status and authentication headers, only the body differs. */
  const both = async (send: (server: Parameters<typeof request>[0]) => request.Test) => {
    const [shaped, nest] = await Promise.all([send(app.getHttpServer()), send(plain.getHttpServer())]);
    expect(shaped.status).toBe(nest.status);
    expect(shaped.headers['www-authenticate']).toBe(nest.headers['www-authenticate']);
    expect(shaped.headers['retry-after']).toBe(nest.headers['retry-after']);
    expect(nest.headers['content-type']).toMatch(/^application\/json/);
    return shaped;
  };

  /** supertest parses only `application/json`; read the body ourselves and check the media type. */
  const body = (res: request.Response) => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
    return JSON.parse(res.text) as unknown;
  };

  it('401 without credentials keeps the WWW-Authenticate challenges', async () => {
    const res = await both((server) => request(server).get('/me'));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="test"');
    expect(body(res)).toEqual(problem(401, 'Unauthorized', 'Authentication required', 'credentials_missing'));
  });

  it('401 for a bad token keeps error="invalid_token"', async () => {
    const res = await both((server) => request(server).get('/me').set('Authorization', 'Bearer not.a.jwt'));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test", error="invalid_token"/);
    expect(body(res)).toMatchObject({ status: 401, code: 'invalid_token', title: 'Unauthorized' });
  });

  it('403 insufficient_scope keeps the RFC 6750 challenge and lists the scopes', async () => {
    const token = await signTestToken({ scope: 'other:read' });
    const res = await both((server) => request(server).get('/items').set('Authorization', `Bearer ${token}`));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test", error="insufficient_scope", .*scope="items:read"$/);
    expect(body(res)).toEqual(problem(403, 'Forbidden', 'Insufficient scope', 'insufficient_scope', { scopes: ['items:read'] }));
  });

  it('403 for roles, the allowlist; 404 for an unknown owned resource', async () => {
    const token = await signTestToken({ roles: ['user'] });
    const roles = await both((server) => request(server).get('/admin/users').set('Authorization', `Bearer ${token}`));
    expect(body(roles)).toEqual(problem(403, 'Forbidden', 'Insufficient role', 'forbidden'));
    const network = await both((server) => request(server).get('/internal/status'));
    expect(body(network)).toEqual(problem(403, 'Forbidden', 'Access from this network address is not allowed', 'forbidden'));
    const missing = await both((server) => request(server).get('/notes/2').set('Authorization', `Bearer ${token}`));
    expect(missing.status).toBe(404);
    expect(body(missing)).toEqual(problem(404, 'Not Found', 'Not Found', 'not_found'));
  });

  it('leaves successful answers alone', async () => {
    const res = await request(app.getHttpServer()).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe.each(ADAPTERS)('errorResponse: your own formatter (%s)', (adapter) => {
  let app: INestApplication;
  const seen: Denial[] = [];
  beforeAll(async () => {
    const errorResponse = (denial: Denial) => {
      seen.push(denial);
      return { error: { code: denial.code, message: denial.message } };
    };
    app = await createApp(adapter, { imports: [policiesTestModule({ errorResponse })] });
  });
  afterAll(() => app.close());

  it('writes its body as JSON with the standard headers', async () => {
    const res = await request(app.getHttpServer()).get('/reports').set('X-API-Key', 'nope');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['www-authenticate']).toBe('ApiKey realm="test"');
    expect(res.body).toEqual({ error: { code: 'invalid_credentials', message: 'Unknown API key' } });
    expect(seen.at(-1)).toEqual({
      status: 401,
      code: 'invalid_credentials',
      title: 'Unauthorized',
      message: 'Unknown API key',
      scopes: undefined,
      retryAfterSeconds: undefined,
    });
  });
});
