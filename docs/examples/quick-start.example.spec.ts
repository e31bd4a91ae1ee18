import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, type CryptoKey, SignJWT } from 'jose';
import request from 'supertest';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { JwksServer } from '../../test/helpers/jwks-server.js';

/** Boots the README's quick start against a local key set standing in for the identity provider. */
const jwks = new JwksServer();
let privateKey: CryptoKey;
let example: typeof import('./quick-start.example.js');

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  await jwks.start();
  jwks.keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }];
  // The example reads these when its module is declared, as an app's would at start.
  process.env.JWKS_URI = jwks.url;
  process.env.ISSUER = 'https://id.example.test';
  example = await import('./quick-start.example.js');
});
afterAll(() => jwks.stop());

const sign = (sub: string, roles: string[]) =>
  new SignJWT({ sub, roles })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
    .setIssuer('https://id.example.test')
    .setAudience('api')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

describe.each(ADAPTERS)('README quick start (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [example.AppModule] }, { beforeInit: (nest) => example.setupSwagger(nest) });
  });
  afterAll(() => app?.close());

  it('answers 401 with a challenge without a token, and the current user with one', async () => {
    const anonymous = await request(app.getHttpServer()).get('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer realm="nest-warden"/);
    const me = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${await sign('u-1', ['viewer'])}`);
    expect(me.body).toEqual({ id: 'u-1', roles: ['viewer'] });
    await request(app.getHttpServer()).get('/health').expect(200);
  });

  it('lets an admin through @Roles("editor") by the hierarchy, and refuses a viewer with 403', async () => {
    await request(app.getHttpServer()).get('/drafts').set('Authorization', `Bearer ${await sign('u-2', ['admin'])}`).expect(200);
    await request(app.getHttpServer()).get('/drafts').set('Authorization', `Bearer ${await sign('u-3', ['viewer'])}`).expect(403);
  });

  it('serves Swagger UI with the bearer scheme on the protected operations and none on the public one', async () => {
    const res = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.body.components.securitySchemes).toEqual({ jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    expect(res.body.paths['/me'].get.security).toEqual([{ jwt: [] }]);
    expect(res.body.paths['/drafts'].get['x-required-roles']).toEqual(['editor']);
    expect(res.body.paths['/health'].get.security).toBeUndefined();
  });
});
