import SwaggerParser from '@apidevtools/swagger-parser';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, type ParameterObject } from '@nestjs/swagger';
import { createAuthDocument } from '../lib/openapi/index.js';
import { TOKEN_OPTIONS, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';

const config = (version = '3.0.0') => new DocumentBuilder().setTitle('oauth').setVersion('1').setOpenAPIVersion(version).build();
const clients = [...TOKEN_OPTIONS.clients!, { id: 'spa', redirectUris: ['https://spa.test/callback'] }];

/**
 * The OpenAPI document of the OAuth 2.1 endpoints: the oauth2 scheme derived from the module gets
 * the authorizationCode flow (authorizationUrl, tokenUrl, refreshUrl, scopes), the password flow only
 * while that grant is on; the authorization, introspection and metadata endpoints are described.
 */
describe.each(ADAPTERS)('OpenAPI: OAuth 2.1 flows and endpoints (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());

  async function documentOf(tokens: object, version?: string): Promise<OpenAPIObject> {
    app = await createApp(adapter, { imports: [tokenTestModule({ tokens: { clients, ...tokens }, options: { session: { secure: false } } })] });
    return createAuthDocument(app, config(version));
  }

  it('derives both flows while the password grant is on; validates against OpenAPI 3.0 and 3.1', async () => {
    const document = await documentOf({});
    expect(document.components!.securitySchemes!.oauth2).toEqual({
      type: 'oauth2',
      flows: {
        password: { tokenUrl: '/auth/token', refreshUrl: '/auth/token', scopes: { 'items:read': 'Read items', 'items:write': 'Write items' } },
        authorizationCode: {
          authorizationUrl: '/auth/authorize',
          tokenUrl: '/auth/token',
          refreshUrl: '/auth/token',
          scopes: { 'items:read': 'Read items', 'items:write': 'Write items' },
        },
      },
    });
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    await app!.close();
    const v31 = await documentOf({}, '3.1.0');
    await expect(SwaggerParser.validate(structuredClone(v31) as never)).resolves.toBeDefined();
  });

  it('only the authorizationCode flow when the password grant is off', async () => {
    const document = await documentOf({ passwordGrant: false, clients: clients.filter((client) => client.id !== 'no-refresh') });
    const scheme = document.components!.securitySchemes!.oauth2 as unknown as { flows: Record<string, unknown> };
    expect(Object.keys(scheme.flows)).toEqual(['authorizationCode']);
  });

  it('describes GET /auth/authorize (PKCE S256 parameters), POST /auth/introspect and the metadata document', async () => {
    const document = await documentOf({});
    const authorize = document.paths['/auth/authorize'].get!;
    const parameters = authorize.parameters as ParameterObject[];
    expect(parameters.map((parameter) => parameter.name)).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'code_challenge',
      'code_challenge_method',
      'scope',
      'state',
    ]);
    expect(parameters.find((parameter) => parameter.name === 'code_challenge_method')!.schema).toEqual({ type: 'string', enum: ['S256'] });
    expect(Object.keys(authorize.responses)).toEqual(['200', '303', '400']);
    expect(document.paths['/auth/introspect'].post!.summary).toContain('RFC 7662');
    expect(document.paths['/.well-known/oauth-authorization-server'].get!.summary).toContain('RFC 8414');
  });
});
