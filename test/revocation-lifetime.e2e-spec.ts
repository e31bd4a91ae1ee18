import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { AuthStore, Clock, JwtStrategy } from '../lib/index.js';
import { FakeClock } from '../lib/testing/index.js';
import { AUDIENCE, ISSUER, tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { itWithStoreClock, MEMORY_STORE, REDIS_CLUSTER_STORE } from './helpers/store-variants.js';
import { ALICE } from './helpers/users.js';

const TOLERANCE_SECONDS = 120;
const cases = ADAPTERS.flatMap((adapter) => [MEMORY_STORE, REDIS_CLUSTER_STORE].map((store) => [adapter, store.name, store] as const));

/**
 * Issue 18, item 5: clock tolerance never revives a revoked token. The old deny entries lived
 * `exp` + 60 s, so with `clockToleranceSeconds` above 60 a revoked token was accepted again between
 * the two. Now entries outlive `exp` + the largest tolerance accepted (300 s, checked at boot).
 *
 * Keycloak CVE-2026-8922 (a revoked token still accepted through a verified-token cache): our cache
 * skips the signature, never the deny list.
 */
describe.each(cases)('revoked tokens stay revoked (issue 18 item 5, Keycloak CVE-2026-8922) (%s, %s)', (adapter, _name, variant) => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  let app: INestApplication;
  const server = () => app.getHttpServer();

  beforeAll(async () => {
    const module = tokenTestModule({
      // The jwt section without keys verifies the token service's own tokens, with its tolerance.
      options: { jwt: { algorithms: ['EdDSA'], issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: TOLERANCE_SECONDS } },
    });
    app = await createApp(adapter, { imports: [module] }, { override: (b) => variant.override(b).overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => app.close());

  const signIn = async () => {
    const res = await request(server()).post('/auth/token').type('form').send({ grant_type: 'password', username: ALICE.username, password: ALICE.password });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };
  const me = (token: string) => request(server()).get('/me').set('Authorization', `Bearer ${token}`);
  const revoke = (token: string) => request(server()).post('/auth/revoke').type('form').send({ token, client_id: 'demo-client' }).expect(200);

  /** How long the store still refuses `token` (ms), by whichever deny key holds it (old layout or new). */
  async function denyTtl(token: string): Promise<number> {
    const { jti } = decodeJwt(token);
    const store = app.get(AuthStore);
    const userKey = `tokens:deny:user:${createHash('sha256').update(ALICE.id, 'utf8').digest('base64url').slice(0, 32)}`;
    const ttls = await Promise.all([store.ttl(`tokens:deny:jti:${String(jti)}`), store.ttl(userKey)]);
    return Math.max(...ttls.map((ttl) => ttl ?? 0));
  }

  it(`keeps a revoked token's deny entry past exp + clockToleranceSeconds (${TOLERANCE_SECONDS} s)`, async () => {
    const token = await signIn();
    await revoke(token);
    const exp = decodeJwt(token).exp! * 1000;
    // TTLs are computed from the app's clock when written, so this holds on Redis (real time) too.
    expect(await denyTtl(token)).toBeGreaterThan(exp + TOLERANCE_SECONDS * 1000 - clock.now());
  });

  itWithStoreClock(variant, 'refuses a revoked token between exp + 60 s and exp + tolerance, where the verifier still accepts unrevoked ones', async () => {
    const revoked = await signIn();
    const kept = await signIn();
    await revoke(revoked);
    const exp = decodeJwt(revoked).exp! * 1000;
    const start = clock.now();
    clock.set(exp + 90_000); // past exp + 60 s (the old entry's end), within the 120 s tolerance
    try {
      await me(kept).expect(200); // the tolerance still accepts an expired-by-90-s token...
      await me(revoked).expect(401); // ...but never a revoked one
    } finally {
      clock.set(start);
    }
  });

  it('Keycloak CVE-2026-8922: a token answered from the verified-token cache is refused once revoked', async () => {
    const token = await signIn();
    await me(token).expect(200);
    await me(token).expect(200);
    expect(app.get(JwtStrategy).verifiedTokens?.has(token)).toBe(true); // the second request came from the cache
    await revoke(token);
    await me(token).expect(401);
    expect(app.get(JwtStrategy).verifiedTokens?.has(token)).toBe(true); // still cached: the deny list decided
  });
});

describe.each(ADAPTERS)('clockToleranceSeconds is bounded at boot (issue 18 item 5) (%s)', (adapter) => {
  it.each([3600, -1, Number.NaN])('refuses %s with the fix in the message', async (tolerance) => {
    const module = tokenTestModule({ options: { jwt: { algorithms: ['EdDSA'], issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: tolerance } } });
    await expect(createApp(adapter, { imports: [module] })).rejects.toThrow(
      /jwt\.clockToleranceSeconds is .*; it must be a number from 0 to 300\..*fix the clocks/s,
    );
  });
});
