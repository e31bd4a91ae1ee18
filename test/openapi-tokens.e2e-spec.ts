import SwaggerParser from '@apidevtools/swagger-parser';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, type OperationObject, type SchemaObject } from '@nestjs/swagger';
import request from 'supertest';
import { createAuthDocument } from '../lib/openapi/index.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { ALICE } from './helpers/users.js';

const FORM = 'application/x-www-form-urlencoded';
const config = (version = '3.0.0') => new DocumentBuilder().setTitle('tokens').setVersion('1').setOpenAPIVersion(version).build();

function operation(document: OpenAPIObject, verb: 'get' | 'post', path: string): OperationObject {
  const found = document.paths[path]?.[verb];
  if (!found) throw new Error(`${verb} ${path} is not in the document: ${Object.keys(document.paths).join(', ')}`);
  return found;
}

const formSchema = (op: OperationObject) => (op.requestBody as { content: Record<string, { schema: SchemaObject }> }).content[FORM].schema;
const jsonSchema = (op: OperationObject, status: number) =>
  (op.responses[status] as { content: Record<string, { schema: SchemaObject }> }).content['application/json'].schema;

describe.each(ADAPTERS)('OpenAPI: the token endpoints (%s)', (adapter) => {
  let app: INestApplication;
  let document: OpenAPIObject;

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [tokenTestModule()] });
    document = createAuthDocument(app, config(), { oauth2: { tokenUrl: '/auth/token', refreshUrl: '/auth/token' } });
  });
  afterAll(() => app.close());

  it('validates against the OpenAPI 3.0 and 3.1 schemas', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    const v31 = createAuthDocument(app, config('3.1.0'), { oauth2: { tokenUrl: '/auth/token' } });
    await expect(SwaggerParser.validate(structuredClone(v31) as never)).resolves.toBeDefined();
  });

  it('documents POST /auth/token: a form-encoded body with every RFC 6749 parameter, and JSON answers', () => {
    const token = operation(document, 'post', '/auth/token');
    expect(Object.keys((token.requestBody as { content: object }).content)).toEqual([FORM]);
    const body = formSchema(token);
    expect(body.required).toEqual(['grant_type']);
    expect(Object.keys(body.properties!)).toEqual([
      'grant_type',
      'username',
      'password',
      'otp',
      'recovery_code',
      'refresh_token',
      'code',
      'redirect_uri',
      'code_verifier',
      'scope',
      'client_id',
      'client_secret',
      'client_assertion_type',
      'client_assertion',
    ]);
    expect(body.properties!.grant_type).toMatchObject({ enum: ['password', 'refresh_token', 'authorization_code', 'client_credentials'] });
    expect(Object.keys(token.responses).sort()).toEqual(['200', '400', '401', '429', '503']);
    expect(Object.keys(jsonSchema(token, 200).properties!)).toEqual(['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope']);
    expect(Object.keys(jsonSchema(token, 400).properties!)).toEqual(['error', 'error_description']);
    expect(token.responses[429]).toMatchObject({ headers: { 'Retry-After': expect.anything() } });
    expect(token.security ?? []).toEqual([]); // public: the endpoint authenticates clients itself
  });

  it('documents POST /auth/revoke: token and token_type_hint, form-encoded', () => {
    const revoke = operation(document, 'post', '/auth/revoke');
    const body = formSchema(revoke);
    expect(body.required).toEqual(['token']);
    expect(Object.keys(body.properties!)).toEqual(['token', 'token_type_hint', 'client_id', 'client_secret', 'client_assertion_type', 'client_assertion']);
    expect(body.properties!.token_type_hint).toMatchObject({ enum: ['access_token', 'refresh_token'] });
    expect(Object.keys(revoke.responses).sort()).toEqual(['200', '400', '401', '503']);
  });

  it('describes what the endpoints really answer: a documented request gets documented fields', async () => {
    const token = operation(document, 'post', '/auth/token');
    const form = new URLSearchParams({ grant_type: 'password', username: ALICE.username, password: ALICE.password, scope: 'items:read' });
    const issued = await request(app.getHttpServer()).post('/auth/token').type('form').send(form.toString()).expect(200);
    const documented = Object.keys(jsonSchema(token, 200).properties!);
    expect(Object.keys(issued.body).filter((key) => !documented.includes(key))).toEqual([]);
    for (const key of jsonSchema(token, 200).required!) expect(issued.body).toHaveProperty(key);

    const refused = await request(app.getHttpServer()).post('/auth/token').type('form').send('grant_type=password&username=alice&password=nope');
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body).sort()).toEqual(['error', 'error_description']);

    const revoke = await request(app.getHttpServer())
      .post('/auth/revoke')
      .type('form')
      .send(new URLSearchParams({ token: issued.body.refresh_token, token_type_hint: 'refresh_token' }).toString());
    expect(revoke.status).toBe(200);
  });

  it('documents GET /.well-known/jwks.json as a JWK Set, as served', async () => {
    const jwks = operation(document, 'get', '/.well-known/jwks.json');
    expect(jwks.requestBody).toBeUndefined();
    expect(Object.keys(jwks.responses).sort()).toEqual(['200', '404', '503']);
    expect(jsonSchema(jwks, 200).required).toEqual(['keys']);
    // The fixture signs with generated Ed25519 keys (the default), so there is a set to publish.
    const served = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect(served.body.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' })]);
  });

  it('follows the configured paths, and leaves out endpoints that are not mounted', async () => {
    const custom = await createApp(adapter, { imports: [tokenTestModule({ tokenEndpoints: { token: '/oauth2/token', revoke: false } })] });
    try {
      const doc = createAuthDocument(custom, config());
      expect(formSchema(operation(doc, 'post', '/oauth2/token')).required).toEqual(['grant_type']);
      expect(doc.paths['/auth/revoke']).toBeUndefined();
      expect(doc.paths['/auth/token']).toBeUndefined();
      await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    } finally {
      await custom.close();
    }
  });

  it('leaves the app\'s own operations alone', () => {
    const health = operation(document, 'get', '/health');
    expect(health.requestBody).toBeUndefined();
    expect(Object.keys(health.responses)).toEqual(['200']);
  });
});

describe.each(ADAPTERS)('OpenAPI: the Authorize dialog derived from the module (%s)', (adapter) => {
  const flowOf = (document: OpenAPIObject) => (document.components?.securitySchemes?.oauth2 as { flows?: Record<string, unknown> } | undefined)?.flows;

  it('takes the password flow from the mounted token endpoint: its path (global prefix included), refresh URL and scope descriptions', async () => {
    const app = await createApp(adapter, { imports: [tokenTestModule({ tokenEndpoints: { token: '/oauth2/token' } })] }, {
      beforeInit: (nest) => {
        nest.setGlobalPrefix('api', { exclude: ['health'] });
      },
    });
    try {
      const document = createAuthDocument(app, config());
      expect(flowOf(document)).toEqual({
        password: { tokenUrl: '/api/oauth2/token', refreshUrl: '/api/oauth2/token', scopes: { 'items:read': 'Read items', 'items:write': 'Write items' } },
      });
      // The routes that accept the token service's tokens list the scheme with their scopes.
      expect(operation(document, 'get', '/api/items').security).toEqual([{ jwt: [] }, { oauth2: ['items:read'] }]);
      await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    } finally {
      await app.close();
    }
  });

  it('lets explicit options win field by field, and oauth2: false leave the scheme out', async () => {
    const app = await createApp(adapter, { imports: [tokenTestModule()] });
    try {
      const custom = createAuthDocument(app, config(), { oauth2: { scopes: { 'items:read': 'Read the catalogue' }, description: 'Sign in' } });
      expect(flowOf(custom)).toEqual({ password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: { 'items:read': 'Read the catalogue', 'items:write': '' } } });
      expect(custom.components?.securitySchemes?.oauth2).toMatchObject({ description: 'Sign in' });
      const none = createAuthDocument(app, config(), { oauth2: false });
      expect(none.components?.securitySchemes?.oauth2).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('derives nothing without a mounted token endpoint, and says what to set when asked for a flow it cannot derive', async () => {
    const app = await createApp(adapter, { imports: [tokenTestModule({ tokenEndpoints: false })] });
    try {
      expect(createAuthDocument(app, config()).components?.securitySchemes?.oauth2).toBeUndefined();
      expect(() => createAuthDocument(app, config(), { oauth2: { scopes: {} } })).toThrow(
        /oauth2\.tokenUrl is missing, and the module mounts no token endpoint with the password grant to take it from\. Set it to your token endpoint/,
      );
    } finally {
      await app.close();
    }
  });
});
