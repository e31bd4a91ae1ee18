import { type INestApplication, RequestMethod, VersioningType } from '@nestjs/common';
import request from 'supertest';
import { describeRoutes, type RouteManifestEntry } from '../lib/index.js';
import { conflictedTestModule, manifestTestModule, strategylessTestModule } from './fixtures/manifest-app.js';
import { CaptureLogger } from './helpers/capture-logger.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';

type Row = Pick<RouteManifestEntry, 'method' | 'path' | 'handler' | 'access' | 'strategies' | 'roles' | 'permissions' | 'scopes' | 'owner' | 'ownerBypass' | 'mfa' | 'allowFrom'>;

const row = (method: string, path: string, handler: string, access: Row['access'], extra: Partial<Row> = {}): Row => ({
  method,
  path,
  handler,
  access,
  strategies: access === 'public' || access === 'unguarded' ? [] : ['jwt'],
  roles: [],
  permissions: [],
  scopes: [],
  owner: undefined,
  ownerBypass: [],
  mfa: false,
  allowFrom: [],
  ...extra,
});

const EXPECTED: Row[] = [
  row('GET', '/health', 'PolicyController.health', 'public'),
  row('GET', '/api/internal/status', 'PolicyController.internal', 'public', { allowFrom: ['10.0.0.0/8', '2001:db8::/32'] }),
  row('GET', '/api/me', 'PolicyController.me', 'protected'),
  row('GET', '/api/admin/users', 'PolicyController.adminUsers', 'protected', { roles: ['admin'] }),
  row('GET', '/api/items', 'PolicyController.items', 'protected', { scopes: ['items:read'] }),
  row('POST', '/api/notes', 'PolicyController.createNote', 'protected', { permissions: ['notes:write'] }),
  row('GET', '/api/notes/:id', 'PolicyController.note', 'protected', { owner: 'NoteOwnership', ownerBypass: ['admin'] }),
  row('GET', '/api/posts', 'PolicyController.posts', 'optional'),
  row('GET', '/api/reports', 'PolicyController.reports', 'protected', { strategies: ['partner-key'] }),
  row('GET', '/api/settings', 'PolicyController.settings', 'protected', { mfa: true }),
  row('GET', '/api/ops/status', 'OpsController.status', 'protected', { allowFrom: ['192.168.1.1', 'loopback'] }),
  row('GET', '/api/ops/ping', 'OpsController.ping', 'public', { allowFrom: ['10.0.0.0/8'] }),
  row('GET', '/api/v2/shop/catalog', 'CatalogController.list', 'public'),
  row('POST', '/api/v1/shop/catalog/items', 'CatalogController.add', 'protected', { scopes: ['catalog:write'] }),
  row('POST', '/api/v2/shop/catalog/items', 'CatalogController.add', 'protected', { scopes: ['catalog:write'] }),
];

/** What the guard must answer a caller with no credentials from loopback, per the manifest row. */
function expectedWithoutCredentials(entry: RouteManifestEntry): number {
  const loopbackAllowed = entry.allowFrom.length === 0 || entry.allowFrom.includes('loopback');
  if (!loopbackAllowed) return 403;
  return entry.access === 'protected' ? 401 : 200;
}

describe.each(ADAPTERS)('route security manifest (%s)', (adapter) => {
  let app: INestApplication;
  const logs = new CaptureLogger();
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [manifestTestModule()] }, {
      beforeInit: (nest) => {
        nest.useLogger(logs);
        nest.setGlobalPrefix('api', { exclude: [{ path: 'health', method: RequestMethod.GET }] });
        nest.enableVersioning({ type: VersioningType.URI });
      },
    });
  });
  afterAll(() => app.close());

  it('lists every route with its served path and effective policy', () => {
    const manifest = describeRoutes(app);
    const projected = manifest.map(({ method, path, handler, access, strategies, roles, permissions, scopes, owner, ownerBypass, mfa, allowFrom }) => ({
      method, path, handler, access, strategies, roles, permissions, scopes, owner, ownerBypass, mfa, allowFrom,
    }));
    expect(projected).toEqual(expect.arrayContaining(EXPECTED));
    expect(projected).toHaveLength(EXPECTED.length);
    for (const entry of manifest) {
      expect(entry.conflicts).toEqual([]);
      expect(entry.requireHttps).toBe(false);
    }
  });

  it('matches what the guard enforces: every route hit without credentials', async () => {
    const server = app.getHttpServer();
    const mismatches: string[] = [];
    for (const entry of describeRoutes(app)) {
      const path = entry.path.replace(/:\w+/g, '1');
      const method = entry.method.toLowerCase() as 'get' | 'post';
      const res = await request(server)[method](path);
      const expected = expectedWithoutCredentials(entry);
      const got = res.status >= 200 && res.status < 300 ? 200 : res.status;
      if (got !== expected) mismatches.push(`${entry.method} ${entry.path}: manifest says ${expected}, guard answered ${res.status}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('logs the table at debug level at boot', () => {
    const [table] = logs.at('debug', 'Route security manifest');
    expect(table).toContain(`Route security manifest (${EXPECTED.length} routes)`);
    expect(table).toMatch(/METHOD\s+PATH\s+HANDLER\s+ACCESS\s+STRATEGIES\s+RULES\s+ALLOW FROM/);
    expect(table).toMatch(/GET\s+\/api\/admin\/users\s+PolicyController\.adminUsers\s+protected\s+jwt\s+roles: admin\s+any/);
    expect(table).toMatch(/GET\s+\/api\/notes\/:id\s+PolicyController\.note\s+protected\s+jwt\s+owner: NoteOwnership \(bypass: admin\)/);
    expect(table).toMatch(/GET\s+\/api\/ops\/ping\s+OpsController\.ping\s+public\s+-\s+-\s+10\.0\.0\.0\/8/);
    expect(logs.at('warn')).toEqual([]);
  });
});

describe('route manifest with requireHttps', () => {
  it('marks every route', async () => {
    const app = await createApp('express', { imports: [manifestTestModule({ requireHttps: true })] });
    try {
      expect(describeRoutes(app).every((entry) => entry.requireHttps)).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('strict mode (%s)', (adapter) => {
  it('refuses to boot on contradictory metadata, naming each route and the fix', async () => {
    const boot = createApp(adapter, { imports: [conflictedTestModule({ strict: true })] });
    const error = await boot.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('AuthConfigurationError');
    expect(error?.message).toContain('strict mode refuses 2 routes with contradictory security metadata; fix the decorators below');
    expect(error?.message).toContain(
      'GET /conflicted/public-admin (ConflictedController.publicAdmin): @Public() together with authorization rules',
    );
    expect(error?.message).toContain('Fix: remove @Public() so the rules are enforced, or remove the rules if the route is meant to be public.');
    expect(error?.message).toContain(
      'GET /conflicted/optional-scoped (ConflictedController.optionalScoped): @OptionalAuth() together with authorization rules',
    );
    expect(error?.message).toContain('Fix: use @Auth() (or no decorator) so callers must authenticate, or remove the rules.');
    // @AllowFrom on a @Public() route is a legitimate combination
    expect(error?.message).not.toContain('ConflictedController.internal');
    expect(error?.message).not.toContain('ConflictedController.fine');
  });

  it('refuses a protected route that no strategy can authenticate', async () => {
    await expect(createApp(adapter, { imports: [strategylessTestModule({ strict: true })] })).rejects.toThrow(
      "GET /bare (BareController.bare): protected, but no strategy is configured for it: every request would get 401. Fix: configure a default strategy (e.g. jwt) or defaultStrategies, name one with @Auth('...'), or mark the route @Public().",
    );
  });

  it('without strict mode, boots and warns about each contradiction', async () => {
    const logs = new CaptureLogger();
    const app = await createApp(adapter, { imports: [conflictedTestModule()] }, { beforeInit: (nest) => nest.useLogger(logs) });
    try {
      const warnings = logs.at('warn', 'Fix:');
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain('GET /conflicted/public-admin (ConflictedController.publicAdmin)');
      const conflicted = describeRoutes(app).filter((entry) => entry.conflicts.length);
      expect(conflicted.map((entry) => entry.handler)).toEqual(['ConflictedController.publicAdmin', 'ConflictedController.optionalScoped']);
      // what the guard does with them: @Public() wins (nothing enforced), @OptionalAuth() lets anonymous through
      await request(app.getHttpServer()).get('/conflicted/public-admin').expect(200);
      await request(app.getHttpServer()).get('/conflicted/optional-scoped').expect(200);
    } finally {
      await app.close();
    }
  });
});
