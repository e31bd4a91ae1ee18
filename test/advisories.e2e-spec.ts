import type { INestApplication } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { RecoveryContext } from '../lib/account-recovery/recovery-context.js';
import { Clock } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { apiKeyTestModule, REPORTS_KEY } from './fixtures/api-key-app.js';
import { JWT_OPTIONS, jwtTestModule } from './fixtures/jwt-app.js';
import { sessionsTestModule } from './fixtures/sessions-app.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, type AdapterName, createApp } from './helpers/create-app.js';
import { JwksServer } from './helpers/jwks-server.js';
import { CapturingMailer, InMemoryContacts } from './helpers/mailer.js';
import { loginAs } from './helpers/sessions.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET, testKeyPair } from './helpers/tokens.js';
import { ALICE, InMemoryUsers } from './helpers/users.js';

/**
 * Regression tests for advisories of peer libraries (issue 18): each names its advisory, and each
 * runs on Express and Fastify. Where nest-warden already held, the test keeps it that way.
 */

/** A compact HS256 JWS built by hand: what an attacker sends, including what jose refuses to sign. */
function handSignedHs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Uint8Array | string): string {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const claims = () => {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'u-1', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 300 };
};

/** `jwtTestModule` on an adapter whose router normalizes paths as loosely as it can. */
async function looseRoutingApp(adapter: AdapterName): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [jwtTestModule()] }).compile();
  if (adapter === 'express') {
    const app = moduleRef.createNestApplication({ logger: false });
    // Express's defaults already are: case-insensitive, trailing slash optional (non-strict).
    const express = app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void };
    express.set('case sensitive routing', false);
    express.set('strict routing', false);
    await app.init();
    return app;
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, ignoreDuplicateSlashes: true } }),
    { logger: false },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe.each(ADAPTERS)('advisories: routing never bypasses the guard (%s)', (adapter) => {
  let app: INestApplication;
  let token: string;
  beforeAll(async () => {
    app = await looseRoutingApp(adapter);
    token = await signTestToken({ sub: 'u-1' });
  });
  afterAll(() => app.close());

  it('NestJS CVE-2026-33011: HEAD routed to a GET handler is decided by the guard (401 without credentials)', async () => {
    const res = await request(app.getHttpServer()).head('/me');
    expect(res.status).toBe(401);
    await request(app.getHttpServer()).head('/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('NestJS CVE-2026-54281: a trailing slash reaches the same guard (never the handler without credentials)', async () => {
    for (const path of ['/me/', '/me/id/']) {
      const res = await request(app.getHttpServer()).get(path);
      expect(res.status).toBe(401);
    }
    await request(app.getHttpServer()).get('/me/').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('NestJS CVE-2026-2293: with ignoreTrailingSlash, caseSensitive false and ignoreDuplicateSlashes, every spelling is guarded', async () => {
    for (const path of ['/ME', '/Me/', '//me', '/me//id', '//ME/ID/']) {
      const res = await request(app.getHttpServer()).get(path);
      expect([401, 404]).toContain(res.status); // 404 where this router does not normalize that spelling
    }
    // Where the router does route a spelling to the handler, the guard decided it.
    const routed = await request(app.getHttpServer()).get('/ME').set('Authorization', `Bearer ${token}`);
    expect([200, 404]).toContain(routed.status);
    await request(app.getHttpServer()).get('/health/').expect(200); // a public route stays public
  });
});

describe.each(ADAPTERS)('advisories: JOSE key selection (%s)', (adapter) => {
  let app: INestApplication | undefined;
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await new JwksServer().start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => jwks.stop());

  const me = (token: string) => request(app!.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it('jws GHSA-869p-cjfg-cm3x: the HMAC secret is never chosen from token data (the public key as an HS256 secret is refused)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    app = await createApp(adapter, { imports: [jwtTestModule({ realm: 'test', jwt: { algorithms: ['RS256'], publicKeys: [pem], issuer: TEST_ISSUER, audience: TEST_AUDIENCE } })] });
    await me(await signTestToken({}, { alg: 'RS256', key: privateKey })).expect(200);
    // Alg confusion: HS256 keyed with the (public) PEM text.
    expect((await me(await signTestToken({}, { alg: 'HS256', key: new TextEncoder().encode(pem) }))).status).toBe(401);
    // A key carried in the token's own header (`jwk`) is never used.
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const embedded = await new SignJWT({ sub: 'mallory', iss: TEST_ISSUER, aud: TEST_AUDIENCE })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', jwk: await exportJWK(attacker.publicKey) })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(attacker.privateKey);
    expect((await me(embedded)).status).toBe(401);
    // alg none
    const [, payload] = (await signTestToken()).split('.');
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`;
    expect((await me(none)).status).toBe(401);
  });

  it('fast-jwt CVE-2026-44351: a key source with no usable key (an empty key set, an empty key) refuses, it never verifies against nothing', async () => {
    const key = await testKeyPair('ES256', 'k1');
    jwks.keys = [];
    app = await createApp(adapter, {
      imports: [jwtTestModule({ realm: 'test', jwt: { algorithms: ['ES256'], jwksUri: jwks.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, remoteJwks: { cooldownMs: 0 } } })],
    });
    const token = await signTestToken({}, { alg: 'ES256', key: key.privateKey, kid: 'k1' });
    expect((await me(token)).status).toBe(401);
    jwks.keys = [{ ...key.jwk, x: '', y: '' }];
    expect([401, 503]).toContain((await me(token)).status);
    // An empty HMAC secret is refused at boot, and a token keyed with an empty secret never verifies.
    await expect(createApp(adapter, { imports: [jwtTestModule({ realm: 'test', jwt: { ...JWT_OPTIONS.jwt!, secret: '' } })] })).rejects.toThrow();
    await app.close();
    app = await createApp(adapter, { imports: [jwtTestModule()] });
    expect((await me(handSignedHs256({ alg: 'HS256', typ: 'at+jwt' }, claims(), new Uint8Array(0)))).status).toBe(401);
  });

  it('Authlib CVE-2025-59420: a token with an unknown crit header parameter is refused', async () => {
    app = await createApp(adapter, { imports: [jwtTestModule()] });
    // Signed with the right secret: only the unknown critical parameter is wrong.
    const header = { alg: 'HS256', typ: 'at+jwt', crit: ['urn:example:must-understand'], 'urn:example:must-understand': true };
    expect((await me(handSignedHs256(header, claims(), TEST_SECRET))).status).toBe(401);
    expect((await me(handSignedHs256({ alg: 'HS256', typ: 'at+jwt', crit: ['b64'], b64: false }, claims(), TEST_SECRET))).status).toBe(401);
    expect((await me(handSignedHs256({ alg: 'HS256', typ: 'at+jwt' }, claims(), TEST_SECRET))).status).toBe(200);
    await me(await signTestToken()).expect(200);
  });

  it('Authlib CVE-2025-61920: oversized JWS segments are refused with 401 before any parsing (input bounded by maxTokenLength)', async () => {
    app = await createApp(adapter, { imports: [jwtTestModule()] });
    const [header, , signature] = (await signTestToken()).split('.');
    const huge = `${header}.${'A'.repeat(12_000)}.${signature}`;
    const res = await me(huge);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('The access token is malformed');
    const wideHeader = `${'e'.repeat(9_000)}.e30.${signature}`;
    expect((await me(wideHeader)).status).toBe(401);
  });
});

describe.each(ADAPTERS)('advisories: Zitadel CVE-2026-27840, a truncated opaque token is refused (%s)', (adapter) => {
  const chop = (value: string) => value.slice(0, -1);

  it('refresh token', async () => {
    const app = await createApp(adapter, { imports: [tokenTestModule()] });
    try {
      const form = (body: Record<string, string>) => request(app.getHttpServer()).post('/auth/token').type('form').send(body);
      const issued = await form({ grant_type: 'password', username: ALICE.username, password: ALICE.password }).expect(200);
      const refreshToken = issued.body.refresh_token as string;
      expect((await form({ grant_type: 'refresh_token', refresh_token: chop(refreshToken) })).body.error).toBe('invalid_grant');
      // Spring CVE-2025-22228 on the password grant: above the maximum length, a clear 400 invalid_request.
      const tooLong = await form({ grant_type: 'password', username: ALICE.username, password: 'x'.repeat(5000) }).expect(400);
      expect(tooLong.body).toEqual({ error: 'invalid_request', error_description: 'The password is too long' });
      await form({ grant_type: 'refresh_token', refresh_token: refreshToken }).expect(200);
    } finally {
      await app.close();
    }
  });

  it('session id, password-reset token', async () => {
    const app = await createApp(adapter, { imports: [sessionsTestModule()] });
    try {
      const user = { id: 'u-trunc', username: 'trunc', password: 'trunc-password' };
      await app.get(InMemoryUsers).add(user);
      app.get(InMemoryContacts).emails.set(user.id, 'trunc@example.test');
      const session = await loginAs(app, user);
      await request(app.getHttpServer()).get('/me').set('Cookie', chop(session.cookie)).expect(401);
      await request(app.getHttpServer()).get('/me').set('Cookie', session.cookie).expect(200);

      await request(app.getHttpServer()).post('/auth/password-reset').send({ email: 'trunc@example.test' }).expect(202);
      await app.get(RecoveryContext).settled();
      const [mail] = app.get(CapturingMailer).drain();
      const confirm = (token: string) => request(app.getHttpServer()).post('/auth/password-reset/confirm').send({ token, password: 'a-new-password-1' });
      expect((await confirm(chop(mail.token))).status).toBe(400);
      await confirm(mail.token).expect(204);
    } finally {
      await app.close();
    }
  });

  it('API key', async () => {
    const app = await createApp(adapter, { imports: [apiKeyTestModule()] }, { override: (b) => b.overrideProvider(Clock).useValue(new FakeClock(Date.UTC(2026, 0, 1))) });
    try {
      await request(app.getHttpServer()).get('/reports').set('X-API-Key', chop(REPORTS_KEY)).expect(401);
      await request(app.getHttpServer()).get('/reports').set('X-API-Key', REPORTS_KEY).expect(200);
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('advisories: passwords and account recovery (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [sessionsTestModule()] });
  });
  afterAll(() => app.close());

  it('Spring CVE-2025-22228: a password is never truncated before hashing (a 100-character password and its 72-character prefix differ)', async () => {
    const long = `${'p'.repeat(71)}-${'q'.repeat(28)}`;
    expect(long).toHaveLength(100);
    const user = { id: 'u-long', username: 'long', password: long };
    await app.get(InMemoryUsers).add(user);
    await request(app.getHttpServer()).post('/auth/session').send({ username: 'long', password: long.slice(0, 72) }).expect(401);
    await request(app.getHttpServer()).post('/auth/session').send({ username: 'long', password: long }).expect(200);
  });

  it('Spring CVE-2025-22228: a password above the maximum length is a clear 400, not a silent truncation', async () => {
    const res = await request(app.getHttpServer()).post('/auth/session').send({ username: 'long', password: 'x'.repeat(5000) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/password.*(too long|at most)/i);
  });

  it('Supabase GHSA-3529-5m8x-rpv3: nothing in a reset mail comes from Host or X-Forwarded-Host', async () => {
    const user = { id: 'u-host', username: 'host', password: 'host-password' };
    await app.get(InMemoryUsers).add(user);
    app.get(InMemoryContacts).emails.set(user.id, 'host@example.test');
    app.get(CapturingMailer).drain();
    await request(app.getHttpServer())
      .post('/auth/password-reset')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'http')
      .send({ email: 'host@example.test' })
      .expect(202);
    await app.get(RecoveryContext).settled();
    const mails = app.get(CapturingMailer).drain();
    expect(mails).toHaveLength(1);
    expect(JSON.stringify(mails)).not.toContain('evil.example');
    expect(Object.keys(mails[0]).sort()).toEqual(['expiresAt', 'kind', 'to', 'token', 'userId']);
  });
});
