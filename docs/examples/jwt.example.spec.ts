// Boots every configuration of docs/jwt.md on Express and Fastify with real tokens signed by jose;
// for the identity providers, a local JWKS server stands in for the provider at the paths it uses.
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import request from 'supertest';
import { AuthModule, Clock, JwtStrategy } from '../../lib/index.js';
import { FakeClock } from '../../lib/testing/index.js';
import { ADAPTERS, type AdapterName, createApp } from '../../test/helpers/create-app.js';
import { JwksServer } from '../../test/helpers/jwks-server.js';
import {
  AppModule,
  Auth0AppModule,
  auth0Jwt,
  CognitoAppModule,
  entraJwt,
  everyOptionJwt,
  jsonwebtokenJwt,
  keycloakJwt,
  localJwksJwt,
  OrdersController,
  publicKeyJwt,
  sharedSecretJwt,
} from './jwt.example.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';
const secretKey = new TextEncoder().encode(SECRET);

type Header = {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
};

/** A token as the issuer would make it; `exp` 5 minutes after `now` unless the claims say otherwise. */
function sign(key: CryptoKey | Uint8Array, header: Header, claims: JWTPayload, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ iat, exp: iat + 300, ...claims }).setProtectedHeader(header).sign(key);
}

async function keyPair(alg: string, kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK; publicKey: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Sets environment variables until the returned function restores them. */
function setEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

describe.each(ADAPTERS)('docs/jwt.md examples (%s)', (adapter: AdapterName) => {
  let app: INestApplication;
  let restoreEnv: (() => void) | undefined;
  const boot = async (metadata: ModuleMetadata, clock?: Clock) => {
    app = await createApp(adapter, metadata, clock ? { override: (b) => b.overrideProvider(Clock).useValue(clock) } : {});
  };
  const withJwt = (jwt: Parameters<typeof AuthModule.forRoot>[0]['jwt']): ModuleMetadata => ({
    imports: [AuthModule.forRoot({ jwt })],
    controllers: [OrdersController],
  });
  const get = (path: string, token?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };
  /** 401 with the description the client sees in the body and the challenge. */
  const refused = async (path: string, token: string, description: string) => {
    const res = await get(path, token).expect(401);
    expect(res.body.message).toBe(description);
    expect(res.headers['www-authenticate']).toContain(`error_description="${description}"`);
  };

  afterEach(async () => {
    await app?.close();
    restoreEnv?.();
    restoreEnv = undefined;
  });

  describe('a shared HS256 secret', () => {
    const claims = { sub: 'u1', iss: 'https://auth.acme.example', aud: 'orders-api', roles: ['admin'], scope: 'orders:read' };

    it('accepts RFC 9068 access tokens of the configured issuer and audience (AppModule, forRootAsync)', async () => {
      restoreEnv = setEnv({ JWT_SECRET: SECRET });
      await boot({ imports: [AppModule] });
      const token = await sign(secretKey, { alg: 'HS256', typ: 'at+jwt' }, claims);
      await get('/orders', token).expect(200, { id: 'u1', username: null, roles: ['admin'], scopes: ['orders:read'], permissions: [] });
      await get('/orders/admin', token).expect(200);
    });

    it('refuses typ JWT, another audience, and a boot without the secret', async () => {
      await boot(withJwt(sharedSecretJwt({ JWT_SECRET: SECRET })));
      await refused('/orders', await sign(secretKey, { alg: 'HS256', typ: 'JWT' }, claims), 'The access token has an unexpected typ header');
      await refused('/orders', await sign(secretKey, { alg: 'HS256', typ: 'at+jwt' }, { ...claims, aud: 'billing-api' }), 'The access token has an unexpected aud claim');
      expect(() => sharedSecretJwt({})).toThrow('Set JWT_SECRET: the JWT configuration needs it.');
    });
  });

  it('tokens made by jsonwebtoken: typ JWT accepted, at+jwt and no typ refused', async () => {
    await boot(withJwt(jsonwebtokenJwt({ JWT_SECRET: SECRET })));
    const claims = { sub: 'u2', iss: 'https://legacy-auth.acme.example', aud: 'orders-api', roles: ['admin'] };
    // The header jsonwebtoken writes: { alg: 'HS256', typ: 'JWT' }.
    await get('/orders/admin', await sign(secretKey, { alg: 'HS256', typ: 'JWT' }, claims)).expect(200);
    await refused('/orders', await sign(secretKey, { alg: 'HS256', typ: 'at+jwt' }, claims), 'The access token has an unexpected typ header');
    await refused('/orders', await sign(secretKey, { alg: 'HS256' }, claims), 'The access token has an unexpected typ header');
  });

  it('publicKeys: a PEM verifies RS256, and never as an HMAC secret', async () => {
    const { privateKey, publicKey } = await keyPair('RS256', 'partner');
    const pem = await exportSPKI(publicKey);
    await boot(withJwt(publicKeyJwt({ PARTNER_PUBLIC_KEY_PEM: pem })));
    const claims = { sub: 'p1', iss: 'https://partner.example', aud: 'orders-api' };
    await get('/orders', await sign(privateKey, { alg: 'RS256', typ: 'at+jwt' }, claims)).expect(200);
    const confused = await sign(new TextEncoder().encode(pem), { alg: 'HS256', typ: 'at+jwt' }, claims);
    await refused('/orders', confused, 'The access token is invalid');
  });

  it('jwks: a local key set with two algorithms', async () => {
    const es = await keyPair('ES256', 'es-1');
    const ed = await keyPair('EdDSA', 'ed-1');
    await boot(withJwt(localJwksJwt({ keys: [es.jwk, ed.jwk] })));
    const claims = { sub: 'u3', iss: 'https://issuer.example', aud: 'orders-api' };
    await get('/orders', await sign(es.privateKey, { alg: 'ES256', kid: 'es-1', typ: 'at+jwt' }, claims)).expect(200);
    await get('/orders', await sign(ed.privateKey, { alg: 'EdDSA', kid: 'ed-1', typ: 'at+jwt' }, claims)).expect(200);
    const stranger = await keyPair('ES256', 'es-2');
    await refused('/orders', await sign(stranger.privateKey, { alg: 'ES256', kid: 'es-2', typ: 'at+jwt' }, claims), 'The access token is invalid');
  });

  describe('every option', () => {
    let jwks: JwksServer;
    beforeEach(async () => {
      jwks = await new JwksServer().start();
    });
    afterEach(() => jwks.stop());

    it('issuer list, required jti, clock tolerance, token length and the cache, as configured', async () => {
      const clock = new FakeClock();
      const key = await keyPair('RS256', 'k1');
      jwks.keys = [key.jwk];
      await boot(withJwt(everyOptionJwt({ JWKS_URI: jwks.url })), clock);
      const header = { alg: 'RS256', kid: 'k1', typ: 'at+jwt' };
      const claims = { sub: 'u4', iss: 'https://us.auth.acme.example', aud: 'orders-api', jti: 't-1' };

      const token = await sign(key.privateKey, header, claims, clock.now());
      await get('/orders', token).expect(200);
      expect(app.get(JwtStrategy).verifiedTokens?.has(token)).toBe(true);
      expect(jwks.paths).toEqual(['/jwks.json']);

      await refused('/orders', await sign(key.privateKey, header, { ...claims, jti: undefined }, clock.now()), 'The access token lacks the jti claim');
      await refused('/orders', await sign(key.privateKey, header, { ...claims, iss: 'https://auth.acme.example' }, clock.now()), 'The access token has an unexpected iss claim');
      const exp = Math.floor(clock.now() / 1000);
      await get('/orders', await sign(key.privateKey, header, { ...claims, jti: 't-2', exp: exp - 4 }, clock.now() - 60_000)).expect(200);
      await refused('/orders', await sign(key.privateKey, header, { ...claims, jti: 't-3', exp: exp - 6 }, clock.now() - 60_000), 'The access token expired');
      await refused('/orders', await sign(key.privateKey, header, { ...claims, padding: 'x'.repeat(8192) }, clock.now()), 'The access token is malformed');
    });
  });

  describe('identity providers (a local JWKS server stands in for each)', () => {
    let idp: JwksServer;
    let key: Awaited<ReturnType<typeof keyPair>>;
    beforeEach(async () => {
      idp = await new JwksServer().start();
      key = await keyPair('RS256', 'idp-key');
      idp.keys = [key.jwk];
    });
    afterEach(() => idp.stop());
    const idpToken = (claims: JWTPayload, typ: string | undefined = 'JWT') =>
      sign(key.privateKey, typ ? { alg: 'RS256', kid: 'idp-key', typ } : { alg: 'RS256', kid: 'idp-key' }, claims);

    it('Auth0: issuer with its trailing slash, the API identifier among several audiences, permissions', async () => {
      const issuer = `${idp.origin}/`;
      await boot(withJwt(auth0Jwt({ AUTH0_ISSUER_BASE_URL: issuer, AUTH0_AUDIENCE: 'https://api.acme.example' })));
      const claims = { sub: 'auth0|123', iss: issuer, aud: ['https://api.acme.example', `${issuer}userinfo`], azp: 'spa', scope: 'openid orders:read', permissions: ['read:orders'] };
      await get('/orders/permitted', await idpToken(claims)).expect(200);
      await get('/orders/scoped', await idpToken(claims)).expect(200);
      expect(idp.paths).toEqual(['/.well-known/jwks.json']);
      await refused('/orders', await idpToken({ ...claims, iss: idp.origin }), 'The access token has an unexpected iss claim');
    });

    it('Auth0 with namespaced roles: toPrincipal maps them', async () => {
      restoreEnv = setEnv({ AUTH0_ISSUER_BASE_URL: `${idp.origin}/`, AUTH0_AUDIENCE: 'https://api.acme.example' });
      await boot({ imports: [Auth0AppModule] });
      const claims = { sub: 'auth0|7', iss: `${idp.origin}/`, aud: 'https://api.acme.example' };
      await get('/orders/admin', await idpToken({ ...claims, 'https://acme.example/roles': ['admin', 42] })).expect(200);
      const res = await get('/orders', await idpToken({ ...claims, 'https://acme.example/roles': ['admin', 42] })).expect(200);
      expect(res.body.roles).toEqual(['admin']);
      await get('/orders/admin', await idpToken({ ...claims, roles: ['admin'] })).expect(403);
    });

    it('Keycloak: realm roles and this client’s roles, never another client’s', async () => {
      const realm = `${idp.origin}/realms/acme`;
      await boot(withJwt(keycloakJwt({ KEYCLOAK_REALM_URL: realm, KEYCLOAK_CLIENT_ID: 'orders-api' })));
      const claims = {
        sub: 'f3c1',
        iss: realm,
        aud: ['orders-api', 'account'],
        typ: 'Bearer',
        azp: 'web',
        preferred_username: 'ada',
        realm_access: { roles: ['admin'] },
        resource_access: { 'orders-api': { roles: ['auditor'] }, account: { roles: ['manage-account'] } },
      };
      const res = await get('/orders', await idpToken(claims)).expect(200);
      expect(res.body).toMatchObject({ username: 'ada', roles: ['admin', 'auditor'] });
      await get('/orders/admin', await idpToken(claims)).expect(200);
      expect(idp.paths).toEqual(['/realms/acme/protocol/openid-connect/certs']);
      await refused('/orders', await idpToken({ ...claims, aud: 'account' }), 'The access token has an unexpected aud claim');
    });

    it('Entra ID: v2.0 issuer of the tenant, app roles and delegated scopes', async () => {
      const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
      await boot(withJwt(entraJwt({ ENTRA_TENANT_ID: tenant, ENTRA_API_CLIENT_ID: 'api-client-id' }, idp.origin)));
      const claims = { sub: 'AAAAAAAA', iss: `${idp.origin}/${tenant}/v2.0`, aud: 'api-client-id', azp: 'web-client-id', scp: 'orders:read', roles: ['admin'] };
      await get('/orders/scoped', await idpToken(claims)).expect(200);
      await get('/orders/admin', await idpToken(claims)).expect(200);
      expect(idp.paths).toEqual([`/${tenant}/discovery/v2.0/keys`]);
      await refused('/orders', await idpToken({ ...claims, iss: `${idp.origin}/another-tenant/v2.0` }), 'The access token has an unexpected iss claim');
    });

    it('Cognito: no typ, no aud; afterVerification checks token_use and the app client', async () => {
      const issuer = `${idp.origin}/eu-west-1_AbCdEf`;
      restoreEnv = setEnv({ COGNITO_ISSUER: issuer, COGNITO_APP_CLIENT_IDS: 'app-1,app-2' });
      await boot({ imports: [CognitoAppModule] });
      const claims = { sub: 'c0ffee', iss: issuer, token_use: 'access', client_id: 'app-2', username: 'ada', 'cognito:groups': ['admin'], scope: 'orders:read' };
      const token = await idpToken(claims, undefined);
      await get('/orders/admin', token).expect(200);
      expect((await get('/orders', token).expect(200)).body).toMatchObject({ username: 'ada', roles: ['admin'], scopes: ['orders:read'] });
      // afterVerification runs on every request, from the verified-token cache too.
      await get('/orders', token).expect(200);
      expect(idp.paths).toEqual(['/eu-west-1_AbCdEf/.well-known/jwks.json']);
      await refused('/orders', await idpToken({ ...claims, token_use: 'id' }, undefined), 'The access token is not for this API');
      await refused('/orders', await idpToken({ ...claims, client_id: 'app-9' }, undefined), 'The access token is not for this API');
      await refused('/orders', await idpToken({ ...claims, client_id: undefined }, undefined), 'The access token lacks the client_id claim');
    });
  });
});

describe('docs/jwt.md: testing with an asymmetric key', () => {
  let app: INestApplication;
  afterEach(() => app.close());

  it('signs with a test key pair the app trusts through `jwks`', async () => {
    // --- example: testing
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256' };
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ jwt: { algorithms: ['ES256'], jwks: { keys: [jwk] }, issuer: 'https://issuer.test', audience: 'orders-api' } })],
      controllers: [OrdersController],
    }).compile();
    app = await moduleRef.createNestApplication().init();

    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key', typ: 'at+jwt' })
      .setSubject('u1')
      .setIssuer('https://issuer.test')
      .setAudience('orders-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await request(app.getHttpServer()).get('/orders/admin').set('Authorization', `Bearer ${token}`).expect(200);
    // --- end
  });
});
