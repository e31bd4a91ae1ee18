import type { INestApplication } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { AppModule } from '../sample/app.module.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { withEnv } from './helpers/env.js';

/** The sample's token endpoint against design.md's contract ("The sample app": clients, demo accounts, keys, lockout). Two instances on one Redis: sample-instances.e2e-spec.ts. */
describe.each(ADAPTERS)('sample app: token endpoint contract (%s)', (adapter) => {
  let app: INestApplication;
  // Embedded defaults: memory store, generated keys (even where CI exports REDIS_URL).
  withEnv({ JWT_SECRET: undefined, REDIS_URL: undefined });
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AppModule] });
  });
  afterAll(() => app.close());

  const token = (form: string, authorization?: string) => {
    const req = request(app.getHttpServer()).post('/auth/token').type('form').send(form);
    return authorization ? req.set('Authorization', authorization) : req;
  };

  it('signs alice in as demo-client with every scope she may hold, and /me knows her', async () => {
    for (const auth of [undefined, 'Basic Og==']) {
      const res = await token('grant_type=password&username=alice&password=alice-password', auth).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual(
        expect.objectContaining({ token_type: 'Bearer', scope: 'items:read items:write' }),
      );
      expect(decodeJwt(res.body.access_token).client_id).toBe('demo-client');
      const me = await request(app.getHttpServer())
        .get('/me')
        .set('Authorization', `Bearer ${res.body.access_token}`)
        .expect(200);
      expect(me.body).toEqual({ id: 'alice', username: 'alice', roles: ['admin'] });
    }
    const named = await token(
      'grant_type=password&username=alice&password=alice-password&client_id=demo-client',
    ).expect(200);
    expect(decodeJwt(named.body.access_token).client_id).toBe('demo-client');
  });

  it('gives bob items:read only, and refuses more (invalid_scope)', async () => {
    const res = await token('grant_type=password&username=bob&password=bob-password').expect(200);
    expect(res.body.scope).toBe('items:read');
    const more = await token(
      'grant_type=password&username=bob&password=bob-password&scope=items:read%20items:write',
    );
    expect(more.status).toBe(400);
    expect(more.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
  });

  it('refuses an unknown client_id with invalid_client', async () => {
    const res = await token(
      'grant_type=password&username=alice&password=alice-password&client_id=someone-else',
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('publishes its generated Ed25519 key, which signs the access tokens', async () => {
    const res = await token('grant_type=password&username=alice&password=alice-password').expect(200);
    const header = decodeProtectedHeader(res.body.access_token);
    expect(header.alg).toBe('EdDSA');
    const jwks = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys).toEqual([
      expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: header.kid }),
    ]);
  });

  it('locks an account after at most 10 failures (429 + Retry-After, the right password too), others unaffected', async () => {
    let locked: request.Response | undefined;
    for (let i = 0; i < 11 && !locked; i++) {
      const res = await token('grant_type=password&username=bob&password=wrong');
      if (res.status === 429) locked = res;
      else expect(res.body.error).toBe('invalid_grant');
    }
    expect(locked).toBeDefined();
    const right = await token('grant_type=password&username=bob&password=bob-password');
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    await token('grant_type=password&username=alice&password=alice-password').expect(200);
  });
});

describe.each(ADAPTERS)('sample app with JWT_SECRET (%s)', (adapter) => {
  let app: INestApplication;
  withEnv({ JWT_SECRET: 'sample-secret-of-at-least-thirty-two-bytes!', REDIS_URL: undefined });
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AppModule] });
  });
  afterAll(() => app.close());

  it('signs HS256 with the secret and has no JWKS', async () => {
    const res = await request(app.getHttpServer())
      .post('/auth/token')
      .type('form')
      .send('grant_type=password&username=alice&password=alice-password')
      .expect(200);
    expect(decodeProtectedHeader(res.body.access_token).alg).toBe('HS256');
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${res.body.access_token}`)
      .expect(200);
    await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(404);
  });
});
