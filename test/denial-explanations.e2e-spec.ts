import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { policiesTestModule } from './fixtures/policies-app.js';
import { CaptureLogger } from './helpers/capture-logger.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

describe.each(ADAPTERS)('development-mode denial explanations (%s)', (adapter) => {
  let app: INestApplication;
  const logs = new CaptureLogger();
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [policiesTestModule({ explainDenials: true })] }, { beforeInit: (nest) => nest.useLogger(logs) });
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

  const denied = () => logs.at('debug', 'denied ');

  it('says which role was needed and which the principal has, in the log and never in the body', async () => {
    const token = await signTestToken({ sub: 'u-bob', preferred_username: 'bob', roles: ['user'] });
    const res = await request(app.getHttpServer()).get('/admin/users').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ statusCode: 403, message: 'Insufficient role', error: 'Forbidden' });
    const [line] = denied();
    expect(line).toMatch(
      /^denied GET \/admin\/users \(PolicyController\.adminUsers\): Insufficient role: needs role admin; principal bob \(jwt\) has roles \[user\]$/,
    );
    expect(line).not.toContain(token);
    expect(res.text).not.toContain('needs role');
  });

  it('explains a missing scope', async () => {
    const token = await signTestToken({ scope: 'other:read' });
    await request(app.getHttpServer()).get('/items').set('Authorization', `Bearer ${token}`).expect(403);
    expect(denied()).toEqual([
      'denied GET /items (PolicyController.items): Insufficient scope: needs scopes [items:read] (all of); principal user-1 (jwt) has scopes [other:read]',
    ]);
  });

  it('explains permissions, a second factor and ownership', async () => {
    const token = await signTestToken({ sub: 'user-2', permissions: ['notes:read'] });
    const server = app.getHttpServer();
    await request(server).post('/notes').set('Authorization', `Bearer ${token}`).expect(403);
    await request(server).get('/settings').set('Authorization', `Bearer ${token}`).expect(403);
    await request(server).get('/notes/1').set('Authorization', `Bearer ${token}`).expect(403);
    const lines = denied();
    expect(lines[0]).toContain('needs permissions [notes:write] (all of); principal user-2 (jwt) has permissions [');
    expect(lines[1]).toContain('needs a second factor; principal user-2 (jwt) has amr [');
    expect(lines[2]).toContain('needs to own the resource (NoteOwnership) (roles admin bypass); principal user-2 (jwt) has roles [');
  });

  it('explains a 401 without credentials, naming the strategies tried', async () => {
    await request(app.getHttpServer()).get('/reports').expect(401);
    expect(denied()).toEqual(['denied GET /reports (PolicyController.reports): no credentials for any of [partner-key]']);
  });

  it('explains a rejected token by the library error code only, never the token or its claims', async () => {
    const token = await signTestToken({ sub: 'secret-subject' }, { expiresIn: -3600 });
    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(401);
    const [line] = denied();
    expect(line).toMatch(/^denied GET \/me \(PolicyController\.me\): jwt rejected the credentials: .+ \(JWTExpired ERR_JWT_EXPIRED claim exp\)$/);
    expect(line).not.toContain(token);
    expect(line).not.toContain(token.split('.')[1]);
    expect(line).not.toContain('secret-subject');
  });

  it('names routes by their template, so secrets in the URL never reach the log', async () => {
    await request(app.getHttpServer()).get('/reports?api_key=partner-key-a').set('X-API-Key', 'partner-key-zzz').expect(401);
    await request(app.getHttpServer()).get('/notes/very-secret-id').expect(401);
    const lines = denied();
    expect(lines[0]).toBe(
      'denied GET /reports (PolicyController.reports): partner-key rejected the credentials: Unknown API key',
    );
    expect(lines[1]).toContain('denied GET /notes/:id (PolicyController.note)');
    expect(lines.join('\n')).not.toMatch(/partner-key-a|partner-key-zzz|very-secret-id/);
  });

  it('explains network refusals with the address it used and why', async () => {
    await request(app.getHttpServer()).get('/internal/status').set('X-Forwarded-For', '10.1.2.3').expect(403);
    expect(denied()).toEqual([
      expect.stringMatching(
        /^denied GET \/internal\/status \(PolicyController\.internal\): @AllowFrom\('10\.0\.0\.0\/8', '2001:db8::\/32'\) does not include client (::ffff:)?127\.0\.0\.1 \(socket peer; X-Forwarded-\* ignored: trustProxy is off\)$/,
      ),
    ]);
  });
});

describe.each(ADAPTERS)('denial explanations in production (%s)', (adapter) => {
  const previous = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = previous;
  });

  it('are off when NODE_ENV is production', async () => {
    process.env.NODE_ENV = 'production';
    const logs = new CaptureLogger();
    const app = await createApp(adapter, { imports: [policiesTestModule()] }, { beforeInit: (nest) => nest.useLogger(logs) });
    try {
      await request(app.getHttpServer()).get('/me').expect(401);
      await request(app.getHttpServer()).get('/internal/status').expect(403);
      expect(logs.at('debug', 'denied')).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('are on by default elsewhere, and off with explainDenials: false', async () => {
    process.env.NODE_ENV = 'development';
    for (const [explainDenials, count] of [[undefined, 1], [false, 0]] as const) {
      const logs = new CaptureLogger();
      const app = await createApp(adapter, { imports: [policiesTestModule({ explainDenials })] }, { beforeInit: (nest) => nest.useLogger(logs) });
      try {
        await request(app.getHttpServer()).get('/me').expect(401);
        expect(logs.at('debug', 'denied')).toHaveLength(count);
      } finally {
        await app.close();
      }
    }
  });
});
