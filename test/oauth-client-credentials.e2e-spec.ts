import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import request from 'supertest';
import { hashClientSecret, type TokenClientOptions } from '../lib/index.js';
import { AUDIENCE, ISSUER, TOKEN_OPTIONS, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';

const SERVICE_SECRET = 'service-secret-0123456789abcdef0123456789';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const insecure = { [oauth.allowInsecureRequests]: true } as const; // loopback http only

/**
 * RFC 6749 §4.4 client credentials with each client authentication method (RFC 6749 §2.3.1
 * client_secret_basic / client_secret_post, RFC 7523 private_key_jwt), oauth4webapi as the client;
 * RFC 9068 §2.2 subject; the principal of a client; every refusal. On both adapters and both stores
 * (a private_key_jwt `jti` is single-use across instances sharing the store).
 */
describe.each(ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((store) => [adapter, store.name, store] as const)))(
  'client credentials (%s, %s)',
  (adapter, _name, variant) => {
    let apps: INestApplication[];
    let as: oauth.AuthorizationServer;
    let secondAs: oauth.AuthorizationServer;
    let keyPair: { privateKey: CryptoKey; jwk: JWK };
    let otherKey: CryptoKey;

    beforeAll(async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      keyPair = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' } };
      otherKey = (await generateKeyPair('ES256')).privateKey;
      const clients: TokenClientOptions[] = [
        ...TOKEN_OPTIONS.clients!,
        { id: 'service', secretHash: hashClientSecret(SERVICE_SECRET), grantTypes: ['client_credentials'], scopes: ['items:read'] },
        { id: 'jwt-service', jwks: { keys: [keyPair.jwk] }, grantTypes: ['client_credentials'], scopes: ['items:read', 'items:write'] },
      ];
      const [first, second] = variant.pair();
      apps = [];
      for (const store of [first, second]) {
        const app = await createApp(adapter, { imports: [tokenTestModule({ tokens: { clients }, options: { store } })] });
        await app.listen(0, '127.0.0.1');
        apps.push(app);
      }
      const server = async (app: INestApplication) => {
        const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
        return { issuer: ISSUER, token_endpoint: `${base}/auth/token`, jwks_uri: `${base}/.well-known/jwks.json` };
      };
      as = await server(apps[0]);
      secondAs = await server(apps[1]);
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
    });

    const grant = (client: oauth.Client, auth: oauth.ClientAuth, scope?: string, server = as) =>
      oauth.clientCredentialsGrantRequest(server, client, auth, scope ? { scope } : {}, insecure);
    const process = async (client: oauth.Client, response: Response) => oauth.processClientCredentialsResponse(as, client, response);
    const claimsOf = (accessToken: string) =>
      oauth.validateJwtAccessToken(as, new Request('https://api.test/', { headers: { Authorization: `Bearer ${accessToken}` } }), AUDIENCE, insecure);

    it('client_secret_basic: a token whose sub and client_id are the client (RFC 9068 §2.2), no refresh token', async () => {
      const client = { client_id: 'service' };
      const result = await process(client, await grant(client, oauth.ClientSecretBasic(SERVICE_SECRET)));
      expect(result.token_type).toBe('bearer');
      expect(result.scope).toBe('items:read');
      expect(result.refresh_token).toBeUndefined();
      const claims = await claimsOf(result.access_token);
      expect(claims).toMatchObject({ iss: ISSUER, sub: 'service', client_id: 'service', scope: 'items:read' });
      expect(claims.auth_time).toBeUndefined();
    });

    it('client_secret_post', async () => {
      const client = { client_id: 'service' };
      const result = await process(client, await grant(client, oauth.ClientSecretPost(SERVICE_SECRET), 'items:read'));
      expect((await claimsOf(result.access_token)).sub).toBe('service');
    });

    it('private_key_jwt (RFC 7523): a signed assertion, for every scope listed for the client', async () => {
      const client = { client_id: 'jwt-service' };
      const result = await process(client, await grant(client, oauth.PrivateKeyJwt({ key: keyPair.privateKey, kid: 'k1' })));
      expect(result.scope).toBe('items:read items:write');
      expect(await claimsOf(result.access_token)).toMatchObject({ sub: 'jwt-service', client_id: 'jwt-service' });
    });

    it('the principal says it is a client: @Scopes works, @Roles refuses it (no roles), @Owner refuses it (it owns no user resource)', async () => {
      const client = { client_id: 'service' };
      const { access_token } = await process(client, await grant(client, oauth.ClientSecretBasic(SERVICE_SECRET)));
      const server = apps[0].getHttpServer();
      const me = await request(server).get('/me').set('Authorization', `Bearer ${access_token}`).expect(200);
      expect(me.body).toMatchObject({ id: 'service', kind: 'client', clientId: 'service', roles: [], scopes: ['items:read'] });
      await request(server).get('/items').set('Authorization', `Bearer ${access_token}`).expect(200);
      await request(server).post('/items').set('Authorization', `Bearer ${access_token}`).expect(403);
      await request(server).get('/admin').set('Authorization', `Bearer ${access_token}`).expect(403);
      await request(server).get('/notes/n-alice').set('Authorization', `Bearer ${access_token}`).expect(403);
      await request(server).get('/notes/unknown').set('Authorization', `Bearer ${access_token}`).expect(404);
    });

    it('a user token is kind "user"', async () => {
      const res = await request(apps[0].getHttpServer())
        .post('/auth/token')
        .type('form')
        .send('grant_type=password&username=alice&password=alice-password');
      const me = await request(apps[0].getHttpServer()).get('/me').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
      expect(me.body.kind).toBe('user');
      await request(apps[0].getHttpServer()).get('/notes/n-alice').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
    });

    const assertion = (claims: Record<string, unknown>, key: CryptoKey = keyPair.privateKey, alg = 'ES256') => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: 'jwt-service', sub: 'jwt-service', aud: ISSUER, iat: now, exp: now + 60, jti: `jti-${Math.random()}`, ...claims };
      for (const name of Object.keys(payload) as (keyof typeof payload)[]) if (payload[name] === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg, kid: 'k1' }).sign(key);
    };
    const assertionRequest = (app: INestApplication, jwt: string, extra = '') =>
      request(app.getHttpServer())
        .post('/auth/token')
        .type('form')
        .send(`grant_type=client_credentials&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${jwt}${extra}`);

    it('private_key_jwt: the token endpoint URL (under the issuer, the public base URL) is an accepted audience too', async () => {
      const jwt = await assertion({ aud: `${ISSUER}/auth/token` });
      await assertionRequest(apps[0], jwt).expect(200);
    });

    it('private_key_jwt: a jti is single-use, also on another instance sharing the store', async () => {
      const jwt = await assertion({ jti: `once-${Math.random()}` });
      await assertionRequest(apps[0], jwt).expect(200);
      const again = await assertionRequest(apps[1], jwt).expect(401);
      expect(again.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
      await assertionRequest(apps[0], jwt).expect(401);
    });

    it('private_key_jwt refusals: another key, another audience, expired, no jti, too long-lived, HMAC, wrong assertion type', async () => {
      const refusals = [
        await assertion({}, otherKey),
        await assertion({ aud: 'https://elsewhere.test' }),
        await assertion({ exp: Math.floor(Date.now() / 1000) - 120 }),
        await assertion({ jti: undefined }),
        await assertion({ exp: Math.floor(Date.now() / 1000) + 3600 }),
        await assertion({}, new TextEncoder().encode('a-shared-secret-that-is-long-enough-000') as unknown as CryptoKey, 'HS256'),
        'not-a-jwt',
      ];
      for (const jwt of refusals) {
        const res = await assertionRequest(apps[0], jwt).expect(401);
        expect(res.body.error).toBe('invalid_client');
      }
      const wrongType = await request(apps[0].getHttpServer())
        .post('/auth/token')
        .type('form')
        .send(`grant_type=client_credentials&client_assertion_type=urn:other&client_assertion=${await assertion({})}`)
        .expect(400);
      expect(wrongType.body.error).toBe('invalid_request');
      // A private_key_jwt client cannot authenticate without its assertion.
      const bare = await request(apps[0].getHttpServer()).post('/auth/token').type('form').send('grant_type=client_credentials&client_id=jwt-service');
      expect(bare.status).toBe(401);
    });

    it('refuses a public client (unauthorized_client), an unknown client, a wrong secret, a scope beyond the client', async () => {
      const pub = { client_id: 'demo-client' };
      await expect(process(pub, await grant(pub, oauth.None()))).rejects.toMatchObject({ error: 'unauthorized_client', status: 400 });
      const unknown = { client_id: 'nobody' };
      await expect(process(unknown, await grant(unknown, oauth.ClientSecretBasic('x')))).rejects.toMatchObject({ status: 401 });
      const unknownPost = await request(apps[0].getHttpServer()).post('/auth/token').type('form').send('grant_type=client_credentials&client_id=nobody&client_secret=x');
      expect(unknownPost.status).toBe(401);
      expect(unknownPost.body.error).toBe('invalid_client');
      const service = { client_id: 'service' };
      await expect(process(service, await grant(service, oauth.ClientSecretPost('wrong-secret')))).rejects.toMatchObject({ status: 401 });
      await expect(process(service, await grant(service, oauth.ClientSecretBasic(SERVICE_SECRET), 'items:write'))).rejects.toMatchObject({
        error: 'invalid_scope',
        status: 400,
      });
      await expect(process(service, await grant(service, oauth.ClientSecretBasic(SERVICE_SECRET), 'unknown:scope'))).rejects.toMatchObject({
        error: 'invalid_scope',
      });
      // A client not allowed the grant by its grantTypes.
      const confidential = { client_id: 'no-refresh' };
      await expect(process(confidential, await grant(confidential, oauth.None()))).rejects.toMatchObject({ error: 'unauthorized_client' });
    });

    it('a token from one instance is accepted by the other', async () => {
      const client = { client_id: 'service' };
      const { access_token } = await process(client, await grant(client, oauth.ClientSecretBasic(SERVICE_SECRET), undefined, secondAs));
      await request(apps[0].getHttpServer()).get('/items').set('Authorization', `Bearer ${access_token}`).expect(200);
    });
  },
);
