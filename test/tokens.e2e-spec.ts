import type { INestApplication } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { AuthStore, Clock, UserRevocation } from '../lib/index.js';
import { AUDIENCE, CONFIDENTIAL_SECRET, DAVE, ISSUER, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { RecordedEvents } from './helpers/recorded-events.js';
import { FlakyStore } from './helpers/flaky-store.js';
import { ALICE, BOB, InMemoryUsers } from './helpers/users.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const RFC6749_ERROR = { error: expect.any(String), error_description: expect.any(String) };

describe.each(ADAPTERS)('token endpoint (%s)', (adapter) => {
  let app: INestApplication;
  let clock: FakeClock;
  let store: FlakyStore;
  let events: RecordedEvents;

  beforeAll(async () => {
    clock = new FakeClock();
    store = new FlakyStore(clock);
    app = await createApp(adapter, { imports: [tokenTestModule()] }, {
      override: (builder) => builder.overrideProvider(Clock).useValue(clock).overrideProvider(AuthStore).useValue(store),
    });
    events = app.get(RecordedEvents);
  });
  afterAll(() => app.close());
  beforeEach(() => events.clear());

  const server = () => app.getHttpServer();
  const post = (path: string, fields: Record<string, string>, authorization?: string) => {
    const req = request(server()).post(path).type('form').send(new URLSearchParams(fields).toString());
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };
  const tokenRequest = (fields: Record<string, string>, authorization?: string) => post('/auth/token', fields, authorization);
  const signIn = (user = ALICE, extra: Record<string, string> = {}, authorization?: string) =>
    tokenRequest({ grant_type: 'password', username: user.username, password: user.password, ...extra }, authorization);
  const refresh = (refreshToken: string, extra: Record<string, string> = {}, authorization?: string) =>
    tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, authorization);
  const me = (accessToken: string) => request(server()).get('/me').set('Authorization', `Bearer ${accessToken}`);

  function expectError(res: request.Response, status: number, error: string): void {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ ...RFC6749_ERROR, error });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  }

  describe('password grant', () => {
    it('issues an RFC 9068 access token and a refresh token to the default public client', async () => {
      const res = await signIn();
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^[\w-]{22}\.[\w-]{43}$/),
        scope: 'items:read items:write',
      });
      const header = decodeProtectedHeader(res.body.access_token);
      expect(header).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
      const claims = decodeJwt(res.body.access_token);
      const now = Math.floor(clock.now() / 1000);
      expect(claims).toEqual({
        iss: ISSUER,
        sub: ALICE.id,
        aud: AUDIENCE,
        iat: now,
        exp: now + 900,
        jti: expect.stringMatching(/^[\w-]{22}$/),
        client_id: 'demo-client',
        scope: 'items:read items:write',
        sid: expect.stringMatching(/^[\w-]{22}$/),
        auth_time: now,
        amr: ['pwd'],
        preferred_username: 'alice',
        roles: ['admin'],
      });
      expect(res.body.refresh_token.startsWith(`${claims.sid}.`)).toBe(true);
    });

    it('issues tokens the JWT strategy accepts, with username, roles and scopes', async () => {
      const { body } = await signIn();
      const res = await me(body.access_token).expect(200);
      expect(res.body).toEqual({
        id: ALICE.id,
        kind: 'user',
        username: 'alice',
        roles: ['admin'],
        scopes: ['items:read', 'items:write'],
        clientId: 'demo-client',
        amr: ['pwd'],
      });
      await request(server()).get('/items').set('Authorization', `Bearer ${body.access_token}`).expect(200);
      await request(server()).post('/items').set('Authorization', `Bearer ${body.access_token}`).expect(201);
    });

    it('grants every scope the user may hold when none is requested, and a subset on request', async () => {
      const bob = await signIn(BOB).expect(200);
      expect(bob.body.scope).toBe('items:read');
      const res = await request(server()).post('/items').set('Authorization', `Bearer ${bob.body.access_token}`);
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      const narrow = await signIn(ALICE, { scope: 'items:read' }).expect(200);
      expect(narrow.body.scope).toBe('items:read');
      expect(decodeJwt(narrow.body.access_token).scope).toBe('items:read');
    });

    it('refuses a scope beyond what the user may hold, an unknown one, or a malformed one (invalid_scope)', async () => {
      expectError(await signIn(BOB, { scope: 'items:read items:write' }), 400, 'invalid_scope');
      expectError(await signIn(ALICE, { scope: 'admin:everything' }), 400, 'invalid_scope');
      expectError(await signIn(ALICE, { scope: 'items:read "x"' }), 400, 'invalid_scope');
    });

    it('answers a wrong password and an unknown user with the same invalid_grant body', async () => {
      const wrong = await signIn({ ...BOB, password: 'not-bobs-password' });
      const unknown = await signIn({ ...BOB, username: 'nobody-here', password: 'whatever' });
      expectError(wrong, 400, 'invalid_grant');
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body.error_description).toBe('Invalid username or password');
      await signIn(BOB).expect(200);
    });

    it('refuses a disabled account like a wrong password', async () => {
      const users = app.get(InMemoryUsers);
      await users.add({ ...DAVE, id: 'u-dave-off', username: 'dave-off', disabled: true });
      expectError(await signIn({ ...DAVE, username: 'dave-off' }), 400, 'invalid_grant');
    });

    it('requires grant_type, username and password (invalid_request) and knows only its grants', async () => {
      expectError(await tokenRequest({ username: 'alice', password: 'x' }), 400, 'invalid_request');
      expectError(await tokenRequest({ grant_type: 'password', password: 'x' }), 400, 'invalid_request');
      expectError(await tokenRequest({ grant_type: 'password', username: 'alice' }), 400, 'invalid_request');
      // RFC 6749 §3.1: an empty value counts as absent.
      expectError(await tokenRequest({ grant_type: 'password', username: 'alice', password: '' }), 400, 'invalid_request');
      expectError(await tokenRequest({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }), 400, 'unsupported_grant_type');
      expectError(await tokenRequest({ grant_type: 'implicit' }), 400, 'unsupported_grant_type');
    });

    it('ignores unknown parameters (RFC 6749 §3.2)', async () => {
      await signIn(ALICE, { foo: 'bar', nonce: 'n' }).expect(200);
    });
  });

  describe('request format', () => {
    it('refuses JSON bodies (CVE-2021-32677 class: only form-encoded requests are read)', async () => {
      const res = await request(server())
        .post('/auth/token')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ grant_type: 'password', username: 'alice', password: 'alice-password' }));
      expectError(res, 400, 'invalid_request');
    });

    it('refuses text/plain bodies, which a cross-site form can send without a preflight', async () => {
      const res = await request(server())
        .post('/auth/token')
        .set('Content-Type', 'text/plain')
        .send('grant_type=password&username=alice&password=alice-password');
      expectError(res, 400, 'invalid_request');
    });

    it('refuses a request without a body or content type', async () => {
      expectError(await request(server()).post('/auth/token'), 400, 'invalid_request');
    });

    it('accepts a charset parameter on the media type', async () => {
      await request(server())
        .post('/auth/token')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8')
        .send('grant_type=password&username=alice&password=alice-password')
        .expect(200);
    });

    it('refuses repeated parameters (RFC 6749 §3.2)', async () => {
      const res = await request(server())
        .post('/auth/token')
        .type('form')
        .send('grant_type=password&username=alice&username=bob&password=alice-password');
      expectError(res, 400, 'invalid_request');
      expect(res.body.error_description).toContain('username');
    });

    it('refuses bracketed (structured) parameters', async () => {
      const res = await request(server())
        .post('/auth/token')
        .type('form')
        .send('grant_type=password&username[a]=alice&password=alice-password');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('refuses over-long usernames without counting a login attempt', async () => {
      expectError(await signIn({ ...ALICE, username: 'a'.repeat(300) }), 400, 'invalid_request');
      expect(events.ofType('login.failed')).toHaveLength(0);
    });
  });

  describe('client authentication', () => {
    it('treats Swagger UI\'s empty "Authorization: Basic Og==" as the default public client', async () => {
      const res = await signIn(ALICE, {}, 'Basic Og==').expect(200);
      expect(decodeJwt(res.body.access_token).client_id).toBe('demo-client');
    });

    it('accepts the public client named in the body or in Basic without a secret', async () => {
      const body = await signIn(ALICE, { client_id: 'demo-client' }).expect(200);
      expect(decodeJwt(body.body.access_token).client_id).toBe('demo-client');
      const header = await signIn(ALICE, {}, basic('demo-client', '')).expect(200);
      expect(decodeJwt(header.body.access_token).client_id).toBe('demo-client');
    });

    it('answers an unknown client_id with 401 invalid_client and a Basic challenge', async () => {
      const res = await signIn(ALICE, { client_id: 'who-is-this' });
      expectError(res, 401, 'invalid_client');
      expect(res.headers['www-authenticate']).toBe('Basic realm="test"');
      const viaBasic = await signIn(ALICE, {}, basic('who-is-this', 'x'));
      expectError(viaBasic, 401, 'invalid_client');
      expect(viaBasic.headers['www-authenticate']).toBe('Basic realm="test"');
      expect(events.ofType('client.authentication_failed').map((e) => e.clientId)).toEqual(['who-is-this', 'who-is-this']);
    });

    it('authenticates a confidential client with Basic or body credentials (RFC 6749 §2.3.1)', async () => {
      const viaBasic = await signIn(ALICE, {}, basic('confidential', CONFIDENTIAL_SECRET)).expect(200);
      expect(decodeJwt(viaBasic.body.access_token).client_id).toBe('confidential');
      const viaBody = await signIn(ALICE, { client_id: 'confidential', client_secret: CONFIDENTIAL_SECRET }).expect(200);
      expect(decodeJwt(viaBody.body.access_token).client_id).toBe('confidential');
    });

    it('form-decodes Basic credentials before comparing them', async () => {
      const encoded = `Basic ${Buffer.from(`confidential:${encodeURIComponent(CONFIDENTIAL_SECRET)}`).toString('base64')}`;
      await signIn(ALICE, {}, encoded).expect(200);
    });

    it('refuses a wrong, missing or misplaced client secret', async () => {
      expectError(await signIn(ALICE, {}, basic('confidential', 'wrong')), 401, 'invalid_client');
      expectError(await signIn(ALICE, { client_id: 'confidential', client_secret: 'wrong' }), 401, 'invalid_client');
      expectError(await signIn(ALICE, { client_id: 'confidential' }), 401, 'invalid_client');
      expectError(await signIn(ALICE, {}, basic('confidential', '')), 401, 'invalid_client');
      expectError(await signIn(ALICE, { client_id: 'demo-client', client_secret: 'a-public-client-has-none' }), 401, 'invalid_client');
    });

    it('refuses two authentication methods or mismatching ids (invalid_request)', async () => {
      expectError(
        await signIn(ALICE, { client_secret: CONFIDENTIAL_SECRET }, basic('confidential', CONFIDENTIAL_SECRET)),
        400,
        'invalid_request',
      );
      expectError(await signIn(ALICE, { client_id: 'demo-client' }, basic('confidential', CONFIDENTIAL_SECRET)), 400, 'invalid_request');
      expectError(await signIn(ALICE, { client_secret: 'lonely' }), 400, 'invalid_request');
    });

    it('refuses malformed Basic credentials and other schemes with invalid_client', async () => {
      expectError(await signIn(ALICE, {}, 'Basic !!!notbase64'), 401, 'invalid_client');
      expectError(await signIn(ALICE, {}, `Basic ${Buffer.from('no-colon').toString('base64')}`), 401, 'invalid_client');
      expectError(await signIn(ALICE, {}, `Basic ${Buffer.from(':only-a-secret').toString('base64')}`), 401, 'invalid_client');
      expectError(await signIn(ALICE, {}, 'Bearer abc'), 401, 'invalid_client');
    });

    it('refuses a grant the client may not use (unauthorized_client) and issues no refresh token to it', async () => {
      const res = await signIn(ALICE, { client_id: 'no-refresh' }).expect(200);
      expect(res.body.refresh_token).toBeUndefined();
      const { body } = await signIn(ALICE);
      expectError(await refresh(body.refresh_token, { client_id: 'no-refresh' }), 400, 'unauthorized_client');
    });
  });

  describe('refresh_token grant', () => {
    it('rotates the refresh token and keeps the grant (sid, auth_time, scope)', async () => {
      const first = await signIn(ALICE).expect(200);
      clock.advance(60_000);
      const second = await refresh(first.body.refresh_token).expect(200);
      expect(second.headers['cache-control']).toBe('no-store');
      expect(second.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.any(String),
        scope: 'items:read items:write',
      });
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
      const before = decodeJwt(first.body.access_token);
      const after = decodeJwt(second.body.access_token);
      expect(after.sid).toBe(before.sid);
      expect(after.auth_time).toBe(before.auth_time);
      expect(after.iat).toBe(before.iat! + 60);
      expect(after.jti).not.toBe(before.jti);
      await me(second.body.access_token).expect(200);
      await refresh(second.body.refresh_token).expect(200);
      expect(events.ofType('token.issued').map((e) => e.grantType)).toEqual(['password', 'refresh_token', 'refresh_token']);
    });

    it('detects reuse of a rotated refresh token: the whole family and its access tokens are revoked (RFC 9700)', async () => {
      const first = await signIn(ALICE).expect(200);
      const second = await refresh(first.body.refresh_token).expect(200);
      await me(second.body.access_token).expect(200);
      const reuse = await refresh(first.body.refresh_token);
      expectError(reuse, 400, 'invalid_grant');
      expectError(await refresh(second.body.refresh_token), 400, 'invalid_grant');
      const denied = await me(second.body.access_token);
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer realm="test", error="invalid_token", error_description="The access token was revoked"');
      const reused = events.ofType('refresh_token.reused');
      expect(reused).toEqual([expect.objectContaining({ userId: ALICE.id, clientId: 'demo-client', grantId: decodeJwt(first.body.access_token).sid })]);
      // Other sign-ins are unaffected.
      const other = await signIn(ALICE).expect(200);
      await me(other.body.access_token).expect(200);
    });

    it('lets exactly one of 10 parallel refreshes with one token succeed', async () => {
      const { body } = await signIn(BOB).expect(200);
      const results = await Promise.all(Array.from({ length: 10 }, () => refresh(body.refresh_token)));
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
      for (const res of results.filter((r) => r.status === 400)) expect(res.body.error).toBe('invalid_grant');
      // The losers presented a rotated-out token: reuse, so the family (the winner's token too) is revoked.
      expect(events.ofType('refresh_token.reused')).toHaveLength(1);
      const winner = results.find((res) => res.status === 200)!;
      expectError(await refresh(winner.body.refresh_token), 400, 'invalid_grant');
    });

    it('narrows the access token on request but never widens the grant (RFC 6749 §6)', async () => {
      const first = await signIn(ALICE).expect(200);
      const narrow = await refresh(first.body.refresh_token, { scope: 'items:read' }).expect(200);
      expect(narrow.body.scope).toBe('items:read');
      expect(decodeJwt(narrow.body.access_token).scope).toBe('items:read');
      const full = await refresh(narrow.body.refresh_token).expect(200);
      expect(full.body.scope).toBe('items:read items:write');

      const bob = await signIn(BOB).expect(200);
      expectError(await refresh(bob.body.refresh_token, { scope: 'items:write' }), 400, 'invalid_scope');
      // A refused scope does not consume the refresh token.
      await refresh(bob.body.refresh_token).expect(200);
    });

    it('binds the refresh token to its client', async () => {
      const { body } = await signIn(ALICE, {}, basic('confidential', CONFIDENTIAL_SECRET)).expect(200);
      expectError(await refresh(body.refresh_token), 400, 'invalid_grant');
      await refresh(body.refresh_token, {}, basic('confidential', CONFIDENTIAL_SECRET)).expect(200);
    });

    it('refuses unknown, malformed and missing refresh tokens', async () => {
      expectError(await refresh('x'.repeat(22) + '.' + 'y'.repeat(43)), 400, 'invalid_grant');
      expectError(await refresh('not-a-refresh-token'), 400, 'invalid_grant');
      expectError(await tokenRequest({ grant_type: 'refresh_token' }), 400, 'invalid_request');
      const { body } = await signIn(ALICE).expect(200);
      const [family] = body.refresh_token.split('.');
      // A forged secret for a real family is unknown, not reuse: it must not revoke the family.
      expectError(await refresh(`${family}.${'z'.repeat(43)}`), 400, 'invalid_grant');
      expect(events.ofType('refresh_token.reused')).toHaveLength(0);
      await refresh(body.refresh_token).expect(200);
    });

    it('expires unused refresh tokens after their idle lifetime, and every sign-in after its maximum', async () => {
      const idle = await signIn(ALICE).expect(200);
      clock.advance(14 * 24 * 3600_000 + 1000);
      expectError(await refresh(idle.body.refresh_token), 400, 'invalid_grant');

      let current = (await signIn(ALICE).expect(200)).body.refresh_token as string;
      for (let day = 0; day < 29; day++) {
        clock.advance(24 * 3600_000);
        current = (await refresh(current).expect(200)).body.refresh_token;
      }
      clock.advance(24 * 3600_000 + 1000);
      expectError(await refresh(current), 400, 'invalid_grant');
    });

    it('revokes the family when the account was disabled since sign-in', async () => {
      const users = app.get(InMemoryUsers);
      const userId = 'u-erin';
      await users.add({ id: userId, username: 'erin', password: 'erin-password', scopes: ['items:read'] });
      const { body } = await signIn({ id: userId, username: 'erin', password: 'erin-password' }).expect(200);
      await users.add({ id: userId, username: 'erin', password: 'erin-password', disabled: true });
      expectError(await refresh(body.refresh_token), 400, 'invalid_grant');
      expect(events.ofType('token.revoked')).toEqual([expect.objectContaining({ reason: 'account', userId })]);
      expect((await me(body.access_token)).status).toBe(401);
    });
  });

  describe('revocation (RFC 7009)', () => {
    const revoke = (fields: Record<string, string>, authorization?: string) => post('/auth/revoke', fields, authorization);

    it('revokes an access token: the JWT strategy refuses it from then on, other tokens still work', async () => {
      const a = await signIn(ALICE).expect(200);
      const b = await signIn(ALICE).expect(200);
      const res = await revoke({ token: a.body.access_token, token_type_hint: 'access_token' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await me(a.body.access_token)).status).toBe(401);
      await me(b.body.access_token).expect(200);
      // The refresh token of that sign-in is untouched.
      await refresh(a.body.refresh_token).expect(200);
      expect(events.ofType('token.revoked')).toEqual([
        expect.objectContaining({ tokenType: 'access_token', reason: 'request', userId: ALICE.id, tokenId: decodeJwt(a.body.access_token).jti }),
      ]);
    });

    it('revokes a refresh token with its family and the family\'s access tokens', async () => {
      const first = await signIn(BOB).expect(200);
      const second = await refresh(first.body.refresh_token).expect(200);
      await revoke({ token: second.body.refresh_token, token_type_hint: 'refresh_token' }).expect(200);
      expectError(await refresh(second.body.refresh_token), 400, 'invalid_grant');
      expect((await me(second.body.access_token)).status).toBe(401);
      expect((await me(first.body.access_token)).status).toBe(401);
    });

    it('answers 200 for unknown, malformed and expired tokens, whatever the hint', async () => {
      await revoke({ token: 'nothing-we-issued' }).expect(200);
      await revoke({ token: 'a.b.c', token_type_hint: 'refresh_token' }).expect(200);
      await revoke({ token: 'x'.repeat(22) + '.' + 'y'.repeat(43), token_type_hint: 'access_token' }).expect(200);
      await revoke({ token: 'whatever', token_type_hint: 'something_else' }).expect(200);
      const { body } = await signIn(ALICE).expect(200);
      clock.advance(901_000);
      await revoke({ token: body.access_token }).expect(200);
      expect(events.ofType('token.revoked')).toHaveLength(0);
    });

    it('does not revoke another client\'s tokens', async () => {
      const { body } = await signIn(ALICE, {}, basic('confidential', CONFIDENTIAL_SECRET)).expect(200);
      await revoke({ token: body.access_token }).expect(200);
      await revoke({ token: body.refresh_token }).expect(200);
      await me(body.access_token).expect(200);
      await refresh(body.refresh_token, {}, basic('confidential', CONFIDENTIAL_SECRET)).expect(200);
      await revoke({ token: body.access_token }, basic('confidential', CONFIDENTIAL_SECRET)).expect(200);
      expect((await me(body.access_token)).status).toBe(401);
    });

    it('requires the token parameter, form encoding and valid client credentials', async () => {
      expectError(await revoke({}), 400, 'invalid_request');
      expectError(
        await request(server()).post('/auth/revoke').set('Content-Type', 'application/json').send(JSON.stringify({ token: 'x' })),
        400,
        'invalid_request',
      );
      expectError(await revoke({ token: 'x' }, basic('confidential', 'wrong')), 401, 'invalid_client');
      await revoke({ token: 'x' }, 'Basic Og==').expect(200);
    });
  });

  describe('revoking all of a user\'s tokens (UserRevocation: log out everywhere, password reset)', () => {
    it('ends every sign-in of the user, refresh and access tokens, and nothing else', async () => {
      const first = await signIn(ALICE).expect(200);
      const second = await refresh((await signIn(ALICE).expect(200)).body.refresh_token).expect(200);
      const bob = await signIn(BOB).expect(200);
      clock.advance(1500);
      await app.get(UserRevocation).revokeUser(ALICE.id, 'logout-everywhere');
      for (const token of [first.body.access_token, second.body.access_token]) expect((await me(token)).status).toBe(401);
      expectError(await refresh(first.body.refresh_token), 400, 'invalid_grant');
      expectError(await refresh(second.body.refresh_token), 400, 'invalid_grant');
      expect(events.ofType('token.revoked').map((e) => e.reason)).toEqual(['user', 'user']);
      await me(bob.body.access_token).expect(200);
      await refresh(bob.body.refresh_token).expect(200);
    });

    it('leaves sign-ins after the revocation alone, even in the same millisecond', async () => {
      const before = await signIn(ALICE).expect(200);
      await app.get(UserRevocation).revokeUser(ALICE.id, 'password-reset');
      // The fake clock has not moved: same millisecond, same second as the revocation.
      const after = await signIn(ALICE).expect(200);
      expect((await me(before.body.access_token)).status).toBe(401);
      await me(after.body.access_token).expect(200);
      const refreshed = await refresh(after.body.refresh_token).expect(200);
      await me(refreshed.body.access_token).expect(200);
      clock.advance(10_000);
      await me(refreshed.body.access_token).expect(200);
      expect((await me(before.body.access_token)).status).toBe(401);
    });

    it('fails closed when the store is down during the revocation', async () => {
      const { body } = await signIn(ALICE).expect(200);
      store.down = true;
      try {
        await expect(app.get(UserRevocation).revokeUser(ALICE.id, 'logout-everywhere')).rejects.toThrow('store offline');
      } finally {
        store.down = false;
      }
      await me(body.access_token).expect(200);
    });
  });

  describe('JWKS', () => {
    it('publishes the public key that verifies the access tokens, and nothing private', async () => {
      const res = await request(server()).get('/.well-known/jwks.json').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      const { body } = await signIn(ALICE).expect(200);
      const kid = decodeProtectedHeader(body.access_token).kid;
      expect(res.body.keys).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid, alg: 'EdDSA', use: 'sig' }]);
    });
  });

  describe('expiry and outages', () => {
    it('refuses an access token once it expired', async () => {
      const { body } = await signIn(ALICE).expect(200);
      clock.advance(899_000);
      await me(body.access_token).expect(200);
      clock.advance(7_000);
      const res = await me(body.access_token);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('The access token expired');
    });

    it('fails closed when the store is unreachable (503 temporarily_unavailable, then recovers)', async () => {
      const { body } = await signIn(ALICE).expect(200);
      store.down = true;
      try {
        const token = await signIn(ALICE);
        expectError(token, 503, 'temporarily_unavailable');
        expect(token.headers['retry-after']).toBe('5');
        const refreshed = await refresh(body.refresh_token);
        expectError(refreshed, 503, 'temporarily_unavailable');
        expect(refreshed.headers['retry-after']).toBe('5');
        const revoked = await post('/auth/revoke', { token: body.access_token });
        expectError(revoked, 503, 'temporarily_unavailable');
        expect(revoked.headers['retry-after']).toBe('5');
        const guarded = await me(body.access_token);
        expect(guarded.status).toBe(503);
        expect(guarded.headers['retry-after']).toBe('5');
      } finally {
        store.down = false;
      }
      await me(body.access_token).expect(200);
      await refresh(body.refresh_token).expect(200);
    });
  });

  describe('security events', () => {
    it('reports sign-ins and issued tokens without secrets', async () => {
      await signIn(ALICE).expect(200);
      await signIn({ ...ALICE, password: 'wrong-password' }).expect(400);
      expect(events.events.map((e) => e.type)).toEqual(['login.succeeded', 'token.issued', 'login.failed']);
      expect(events.ofType('login.succeeded')[0]).toEqual({
        type: 'login.succeeded',
        userId: ALICE.id,
        username: 'alice',
        channel: 'token',
        clientAddress: expect.any(String),
        at: clock.now(),
      });
      const text = JSON.stringify(events.events);
      expect(text).not.toContain(ALICE.password);
      expect(text).not.toContain('wrong-password');
      await signIn(ALICE).expect(200);
    });
  });
});
