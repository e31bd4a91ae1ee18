import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { AppModule, buildApiDocument, setupSwagger } from './openapi.example.js';

describe.each(ADAPTERS)('docs/examples/openapi.example.ts (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AppModule] });
  });
  afterAll(() => app.close());

  it('documents what docs/openapi.md says it does', () => {
    const document = buildApiDocument(app);
    expect(Object.keys(document.components!.securitySchemes!)).toEqual(['jwt', 'partner-key', 'oauth2']);
    expect(document.paths['/items/health'].get!.security).toBeUndefined();
    expect(document.paths['/items/featured'].get!.security).toEqual([{ jwt: [] }, { oauth2: [] }, {}]);
    expect(document.paths['/items'].get!.security).toEqual([{ jwt: [] }, { oauth2: ['items:read'] }]);
    expect(document.paths['/items'].post!.security).toEqual([{ jwt: [] }, { oauth2: ['items:write'] }]);
    expect(document.paths['/items/audit'].get).toMatchObject({ 'x-required-roles': ['admin'] });
    expect(Object.keys(document.paths['/items/audit'].get!.responses).sort()).toEqual(['200', '401', '403']);
    expect(document.paths['/reports'].get!.security).toEqual([{ 'partner-key': [] }]);
  });

  it('the custom strategy accepts its key and rejects a wrong one', async () => {
    await request(app.getHttpServer()).get('/reports').set('X-Partner-Key', 'demo-partner-key').expect(200);
    await request(app.getHttpServer()).get('/reports').set('X-Partner-Key', 'wrong').expect(401);
    await request(app.getHttpServer()).get('/reports').expect(401);
  });
});

// SwaggerModule serves the UI on Fastify only with @fastify/static installed; the JSON route is checked on Express.
describe('docs/examples/openapi.example.ts setupSwagger (express)', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp('express', { imports: [AppModule] }, { beforeInit: setupSwagger });
  });
  afterAll(() => app.close());

  it('serves the document with the security written in at /docs-json', async () => {
    const res = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.body.paths['/items'].get.security).toEqual([{ jwt: [] }, { oauth2: ['items:read'] }]);
    expect(res.body.components.securitySchemes.oauth2.flows.password.tokenUrl).toBe('/auth/token');
  });
});
