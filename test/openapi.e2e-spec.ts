import SwaggerParser from '@apidevtools/swagger-parser';
import type { INestApplication, Type } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, type OperationObject, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import type { RoutePolicy } from '../lib/index.js';
import { RoutePolicies } from '../lib/policy/route-policies.js';
import { hasAuthorizationRules } from '../lib/policy/route-policy.js';
import { StrategyRegistry } from '../lib/strategies/strategy-registry.js';
import { type AuthDocumentOptions, createAuthDocument } from '../lib/openapi/index.js';
import {
  BackofficeController,
  BASIC_USER,
  CatalogController,
  configureOpenApiApp,
  NotesController,
  OIDC_ISSUER,
  OPENAPI_AUTH_OPTIONS,
  openApiTestModule,
  PartnerController,
  PlainController,
  ReportsV2Controller,
  TagsController,
} from './fixtures/openapi-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

const OPTIONS: AuthDocumentOptions = {
  oauth2: {
    tokenUrl: '/auth/token',
    refreshUrl: '/auth/token',
    scopes: { 'items:read': 'Read items', 'items:write': 'Create items' },
  },
};

const config = () => new DocumentBuilder().setTitle('fixture').setVersion('1').build();

type Verb = 'get' | 'post' | 'put' | 'delete';

/** Every operation of the fixture: where Swagger puts it, and which handler serves it. */
const ROUTES: readonly (readonly [Verb, string, Type, string])[] = [
  ['get', '/api/health', PlainController, 'health'],
  ['get', '/api/me', PlainController, 'me'],
  ['get', '/api/posts', PlainController, 'posts'],
  ['get', '/api/posts/{id}', PlainController, 'post'],
  ['get', '/api/reports', PlainController, 'reports'],
  ['get', '/api/items', PlainController, 'items'],
  ['post', '/api/items', PlainController, 'createItem'],
  ['get', '/api/admin/users', PlainController, 'users'],
  ['get', '/api/sso/profile', PlainController, 'profile'],
  ['delete', '/api/account', PlainController, 'deleteAccount'],
  ['get', '/api/partners', PartnerController, 'list'],
  ['get', '/api/partners/status', PartnerController, 'status'],
  ['get', '/api/partners/feed', PartnerController, 'feed'],
  ['get', '/api/partners/widgets', PartnerController, 'widgets'],
  ['get', '/api/catalog', CatalogController, 'list'],
  ['put', '/api/catalog/{sku}', CatalogController, 'update'],
  ['get', '/api/notes', NotesController, 'list'],
  ['get', '/api/notes/{id}', NotesController, 'one'],
  ['get', '/api/tags', TagsController, 'list'],
  ['get', '/api/tags/{id}', TagsController, 'one'],
  ['get', '/api/v2/reports', ReportsV2Controller, 'list'],
  ['get', '/api/backoffice/stats', BackofficeController, 'stats'],
];

const concretePath = (path: string) => path.replace('{id}', '1').replace('{sku}', 'sku-1');

const isOperation = (key: string) => ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'].includes(key);

function operationsOf(document: OpenAPIObject): [Verb, string, OperationObject][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([key]) => isOperation(key))
      .map(([verb, operation]): [Verb, string, OperationObject] => [verb as Verb, path, operation as OperationObject]),
  );
}

/** A requirement naming at least one scheme and no anonymous `{}` alternative: the route needs credentials. */
const demandsCredentials = (operation: OperationObject) =>
  (operation.security ?? []).length > 0 && !(operation.security ?? []).some((r) => Object.keys(r).length === 0);

describe.each(ADAPTERS)('OpenAPI security from the route policies (%s)', (adapter) => {
  let app: INestApplication;
  let document: OpenAPIObject;
  let builtBeforeInit: OpenAPIObject;
  let policies: RoutePolicies;
  let registry: StrategyRegistry;
  let credentials: Record<string, (test: request.Test) => request.Test>;

  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [openApiTestModule()] },
      {
        beforeInit: (nest) => {
          configureOpenApiApp(nest);
          // As apps usually do: the document is built before `listen()`/`init()`.
          builtBeforeInit = createAuthDocument(nest, config(), OPTIONS);
        },
      },
    );
    document = createAuthDocument(app, config(), OPTIONS);
    policies = app.get(RoutePolicies);
    registry = app.get(StrategyRegistry);

    const bearer = `Bearer ${await signTestToken({ roles: ['admin', 'editor'], permissions: ['users:list'], scope: 'items:read items:write', amr: ['pwd', 'otp'] })}`;
    const oidc = `Bearer ${await signTestToken({ iss: OIDC_ISSUER, scope: 'profile' })}`;
    const basic = `Basic ${Buffer.from(`${BASIC_USER.username}:${BASIC_USER.password}`).toString('base64')}`;
    credentials = {
      jwt: (test) => test.set('Authorization', bearer),
      oauth2: (test) => test.set('Authorization', bearer),
      'fixture-oidc': (test) => test.set('Authorization', oidc),
      'fixture-basic': (test) => test.set('Authorization', basic),
      'header-key': (test) => test.set('X-API-Key', 'header-key-1'),
      'query-key': (test) => test.query({ api_key: 'query-key-1' }),
      'cookie-key': (test) => test.set('Cookie', 'warden_key=cookie-key-1'),
    };
  });
  afterAll(() => app.close());

  const call = (verb: Verb, path: string) => request(app.getHttpServer())[verb](concretePath(path));

  it('produces a document that validates against the OpenAPI 3.0 schema, and 3.1 when asked', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    const v31 = createAuthDocument(app, new DocumentBuilder().setTitle('x').setOpenAPIVersion('3.1.0').build(), OPTIONS);
    expect(v31.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(v31) as never)).resolves.toBeDefined();
  });

  it('names only declared schemes in requirements, with scopes only on oauth2/openIdConnect ones', () => {
    // Rules of OpenAPI 3.0 §4.7.30 that the schema validator does not check.
    const schemes = document.components!.securitySchemes! as Record<string, { type: string }>;
    for (const [verb, path, operation] of operationsOf(document)) {
      for (const [name, scopes] of (operation.security ?? []).flatMap((requirement) => Object.entries(requirement))) {
        const where = `${verb} ${path} ${name}`;
        expect({ where, declared: name in schemes }).toEqual({ where, declared: true });
        if (!['oauth2', 'openIdConnect'].includes(schemes[name].type)) expect({ where, scopes }).toEqual({ where, scopes: [] });
      }
    }
  });

  it('declares one security scheme per configured strategy, and the OAuth2 password flow', () => {
    expect(document.components?.securitySchemes).toEqual({
      jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'header-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      'query-key': { type: 'apiKey', in: 'query', name: 'api_key' },
      'cookie-key': { type: 'apiKey', in: 'cookie', name: 'warden_key' },
      'fixture-basic': { type: 'http', scheme: 'basic' },
      'fixture-oidc': { type: 'openIdConnect', openIdConnectUrl: 'https://sso.test/.well-known/openid-configuration' },
      oauth2: {
        type: 'oauth2',
        flows: {
          password: {
            tokenUrl: '/auth/token',
            refreshUrl: '/auth/token',
            // `profile` is demanded by @Scopes() but has no description in the options.
            scopes: { 'items:read': 'Read items', 'items:write': 'Create items', profile: '' },
          },
        },
      },
    });
  });

  it('documents every route at its real path (global prefix, URI version, RouterModule, {param})', () => {
    const documented = operationsOf(document).map(([verb, path]) => `${verb} ${path}`);
    expect(documented.sort()).toEqual(ROUTES.map(([verb, path]) => `${verb} ${path}`).sort());
    const handled = policies.routeHandlers().map(({ controller, methodName }) => `${controller.name}.${methodName}`);
    expect(handled.sort()).toEqual(ROUTES.map(([, , controller, method]) => `${controller.name}.${method}`).sort());
  });

  it('writes on each operation exactly the policy the guard enforces (security, 401/403/404, x-required-*)', () => {
    const schemeOf = (strategy: string) => registry.get(strategy)!;
    for (const [verb, path, controller, method] of ROUTES) {
      const operation = document.paths[path][verb]!;
      const policy: RoutePolicy = policies.resolve(controller, controller.prototype[method]);
      const guarded = policy.access === 'protected' || policy.access === 'optional';
      const expectedSecurity = guarded
        ? [
            ...policy.strategies.flatMap((name) => [
              { [schemeOf(name).securitySchemeName]: schemeOf(name).carriesScopes ? [...policy.scopes] : [] },
              ...(name === 'jwt' ? [{ oauth2: [...policy.scopes] }] : []),
            ]),
            ...(policy.access === 'optional' ? [{}] : []),
          ]
        : undefined;
      const where = `${verb} ${path}`;
      expect({ where, security: operation.security }).toEqual({ where, security: expectedSecurity });
      expect({ where, has401: '401' in operation.responses }).toEqual({ where, has401: guarded });
      expect({ where, has403: '403' in operation.responses }).toEqual({ where, has403: guarded && hasAuthorizationRules(policy) });
      expect({ where, has404: '404' in operation.responses }).toEqual({ where, has404: policy.owner !== undefined });
      const extensions = Object.fromEntries(Object.entries(operation).filter(([key]) => key.startsWith('x-')));
      expect({ where, extensions }).toEqual({
        where,
        extensions: {
          ...(policy.roles.length ? { 'x-required-roles': policy.roles } : {}),
          ...(policy.permissions.length ? { 'x-required-permissions': policy.permissions } : {}),
          ...(policy.scopes.length ? { 'x-required-scopes': policy.scopes } : {}),
          ...(policy.owner ? { 'x-required-owner': { bypassRoles: policy.owner.bypass } } : {}),
          ...(policy.mfa ? { 'x-required-mfa': true } : {}),
        },
      });
    }
  });

  it('shows what each decorator means, written out by hand', () => {
    const security = (verb: Verb, path: string) => document.paths[path][verb]!.security;
    expect(security('get', '/api/health')).toBeUndefined();
    expect(security('get', '/api/me')).toEqual([{ jwt: [] }, { oauth2: [] }]);
    expect(security('get', '/api/posts')).toEqual([{ jwt: [] }, { oauth2: [] }, {}]);
    expect(security('get', '/api/reports')).toEqual([{ 'header-key': [] }, { 'fixture-basic': [] }]);
    expect(security('get', '/api/items')).toEqual([{ jwt: [] }, { oauth2: ['items:read'] }]);
    expect(security('get', '/api/sso/profile')).toEqual([{ 'fixture-oidc': ['profile'] }]);
    expect(security('get', '/api/partners')).toEqual([{ 'header-key': [] }]);
    expect(security('get', '/api/partners/status')).toBeUndefined();
    expect(security('get', '/api/partners/feed')).toEqual([{ jwt: [] }, { oauth2: [] }, { 'query-key': [] }]);
    expect(security('get', '/api/partners/widgets')).toEqual([{ 'cookie-key': [] }, {}]);
    expect(security('get', '/api/catalog')).toBeUndefined();
    expect(security('put', '/api/catalog/{sku}')).toEqual([{ jwt: [] }, { oauth2: [] }]);
    expect(security('get', '/api/notes/{id}')).toEqual([{ jwt: [] }, { oauth2: [] }]);
    expect(security('get', '/api/tags/{id}')).toBeUndefined();
    expect(security('get', '/api/v2/reports')).toEqual([{ 'cookie-key': [] }, { jwt: [] }, { oauth2: [] }]);
    expect(security('get', '/api/backoffice/stats')).toEqual([{ jwt: [] }, { oauth2: [] }]);

    const users = document.paths['/api/admin/users'].get!;
    expect(users['x-required-roles' as keyof OperationObject]).toEqual(['admin', 'editor']);
    expect(users['x-required-permissions' as keyof OperationObject]).toEqual(['users:list']);
    expect(users.responses['403']).toMatchObject({
      description:
        'Forbidden: the caller is authenticated but lacks one of the roles admin, editor; the permission users:list.',
    });
    expect(users.responses['401']).toMatchObject({
      description: 'Unauthorized: credentials are missing or invalid.',
      headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
      content: { 'application/json': { schema: { type: 'object' } } },
    });
    const post = document.paths['/api/posts/{id}'].get!;
    expect(post['x-required-owner' as keyof OperationObject]).toEqual({ bypassRoles: ['admin'] });
    expect(post.responses['404']).toMatchObject({ description: 'Not Found: the resource does not exist.' });
    expect(document.paths['/api/account'].delete!['x-required-mfa' as keyof OperationObject]).toBe(true);
    // The app's own 403 stays as it wrote it; Swagger's default success response stays too.
    const create = document.paths['/api/items'].post!;
    expect(create.responses['403']).toEqual({ description: 'Documented by the app itself' });
    expect(create.responses['401']).toBeDefined();
    expect(document.paths['/api/me'].get!.responses['200']).toEqual({ description: '' });
    expect(document.paths['/api/partners/feed'].get!.responses['200']).toEqual({ description: '' });
  });

  it('answers 401 without credentials exactly where the document demands them', async () => {
    for (const [verb, path, operation] of operationsOf(document)) {
      const res = await call(verb, path);
      expect({ route: `${verb} ${path}`, unauthorized: res.status === 401 }).toEqual({
        route: `${verb} ${path}`,
        unauthorized: demandsCredentials(operation),
      });
      if (res.status !== 401) expect(res.status).toBeLessThan(500);
    }
  });

  it('accepts the credentials of exactly the schemes each operation lists', async () => {
    const schemes = Object.keys(document.components!.securitySchemes!);
    expect(schemes.sort()).toEqual(Object.keys(credentials).sort());
    for (const [verb, path, operation] of operationsOf(document)) {
      if (!demandsCredentials(operation)) continue;
      const listed = new Set(operation.security!.flatMap((requirement) => Object.keys(requirement)));
      for (const scheme of schemes) {
        const res = await credentials[scheme](call(verb, path));
        expect({ route: `${verb} ${path}`, scheme, unauthorized: res.status === 401 }).toEqual({
          route: `${verb} ${path}`,
          scheme,
          unauthorized: !listed.has(scheme),
        });
      }
    }
  });

  it('with global: false, documents only the routes nest-warden guards, and they alone answer 401', async () => {
    const optIn = await createApp(
      adapter,
      { imports: [openApiTestModule({ ...OPENAPI_AUTH_OPTIONS, global: false })] },
      { beforeInit: configureOpenApiApp },
    );
    try {
      const doc = createAuthDocument(optIn, config(), OPTIONS);
      expect(doc.paths['/api/me'].get!.security).toBeUndefined();
      expect(doc.paths['/api/me'].get!.responses['401']).toBeUndefined();
      expect(doc.paths['/api/items'].get!.security).toEqual([{ jwt: [] }, { oauth2: ['items:read'] }]);
      expect(doc.paths['/api/notes'].get!.security).toEqual([{ jwt: [] }, { oauth2: [] }]);
      for (const [verb, path, operation] of operationsOf(doc)) {
        const res = await request(optIn.getHttpServer())[verb](concretePath(path));
        expect({ route: `${verb} ${path}`, unauthorized: res.status === 401 }).toEqual({
          route: `${verb} ${path}`,
          unauthorized: demandsCredentials(operation),
        });
      }
    } finally {
      await optIn.close();
    }
  });

  it('builds the same document before app.init() as after it', () => {
    expect(builtBeforeInit).toEqual(document);
  });

  it('leaves no trace in Swagger metadata: a plain SwaggerModule document is unchanged', () => {
    const plain = SwaggerModule.createDocument(app, config());
    expect(JSON.stringify(plain)).not.toContain('nest-warden');
    for (const [, , operation] of operationsOf(plain)) {
      expect(operation.security).toBeUndefined();
      expect(operation.responses['401']).toBeUndefined();
    }
  });

  it('overrides a document-wide requirement on @Public() routes only', () => {
    const withGlobal = createAuthDocument(app, new DocumentBuilder().setTitle('x').addSecurityRequirements('jwt').build(), OPTIONS);
    expect(withGlobal.paths['/api/health'].get!.security).toEqual([]);
    expect(withGlobal.paths['/api/tags'].get!.security).toEqual([]);
    expect(withGlobal.paths['/api/me'].get!.security).toEqual([{ jwt: [] }, { oauth2: [] }]);
  });

  it('keeps scheme descriptions the app wrote and adds no OAuth2 scheme unless asked', () => {
    const builder = new DocumentBuilder()
      .setTitle('x')
      .addSecurity('jwt', { type: 'http', scheme: 'bearer', description: 'Access tokens from /auth/token' })
      .addSecurity('partner-gateway', { type: 'apiKey', in: 'header', name: 'X-Gateway' });
    const doc = createAuthDocument(app, builder.build());
    expect(doc.components!.securitySchemes!.jwt).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Access tokens from /auth/token',
    });
    expect(doc.components!.securitySchemes!['partner-gateway']).toEqual({ type: 'apiKey', in: 'header', name: 'X-Gateway' });
    expect(doc.components!.securitySchemes!.oauth2).toBeUndefined();
    expect(doc.paths['/api/items'].get!.security).toEqual([{ jwt: [] }]);
  });

  it('says what to do when the application has no AuthModule', async () => {
    const bare = await createApp(adapter, { controllers: [TagsController] });
    try {
      expect(() => createAuthDocument(bare, config())).toThrow(/found no AuthModule.*Import AuthModule\.forRoot/);
    } finally {
      await bare.close();
    }
  });

  it('refuses OAuth2 options that no route could use, saying how to fix them', () => {
    expect(() => createAuthDocument(app, config(), { oauth2: { tokenUrl: '/auth/token', strategies: ['jwt-typo'] } })).toThrow(
      /oauth2\.strategies names "jwt-typo", which is not configured.*configured: "jwt"/,
    );
    expect(() => createAuthDocument(app, config(), { oauth2: { tokenUrl: '' } })).toThrow(/oauth2\.tokenUrl is missing/);
    expect(() => createAuthDocument(app, config(), { oauth2: { tokenUrl: '/t', schemeName: 'jwt' } })).toThrow(
      /"jwt" is already the security scheme of strategy "jwt".*oauth2\.schemeName/,
    );
  });
});
