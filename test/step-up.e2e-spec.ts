import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { dpopTestModule } from './fixtures/dpop-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

const METADATA = 'resource_metadata="https://api.example.test/.well-known/oauth-protected-resource"';

/** RFC 9470 step-up: `@Auth({ acr, maxAge })` answers 401 insufficient_user_authentication with what would do. */
describe.each(ADAPTERS)('step-up authentication challenges (%s)', (adapter) => {
  let app: INestApplication;
  const now = () => Math.floor(Date.now() / 1000);
  const get = async (path: string, claims: Record<string, unknown>) =>
    request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${await signTestToken(claims)}`);

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [dpopTestModule({ dpop: {}, protectedResource: { resource: 'https://api.example.test' } })] });
  });
  afterAll(() => app.close());

  it('accepts a token with an accepted acr and a recent auth_time', async () => {
    const res = await get('/transfer', { acr: 'urn:example:hardware-key', auth_time: now() - 30 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'user-1', acr: 'urn:example:hardware-key' });
  });

  it.each([
    ['too weak (another acr)', { acr: 'urn:example:password', auth_time: 0 }, 'A stronger authentication is required'],
    ['too weak (no acr)', { auth_time: 0 }, 'A stronger authentication is required'],
    ['too old (auth_time past max_age)', { acr: 'urn:example:mfa', auth_time: -301 }, 'A more recent authentication is required'],
    ['without auth_time', { acr: 'urn:example:mfa' }, 'A more recent authentication is required'],
  ])('refuses a token %s: 401 with acr_values and max_age', async (_name, claims, description) => {
    const shifted = 'auth_time' in claims ? { ...claims, auth_time: now() + (claims.auth_time as number) } : claims;
    const res = await get('/transfer', shifted);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, message: description, error: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="test", error="insufficient_user_authentication", error_description="${description}", acr_values="urn:example:mfa urn:example:hardware-key", max_age="300", ${METADATA}`,
    );
  });

  it('keeps @Auth({ mfa: true }) answering 403 without a second factor, on the same check', async () => {
    expect((await get('/mfa', { amr: ['pwd'] })).status).toBe(403);
    expect((await get('/mfa', { amr: ['pwd', 'otp'] })).status).toBe(200);
  });

  it('writes the challenge on the DPoP scheme when the strategy requires DPoP', async () => {
    const strict = await createApp(adapter, { imports: [dpopTestModule({ dpop: { mode: 'required', algorithms: ['ES256'] } })] });
    try {
      // An unbound Bearer token is refused before step-up; the challenge shape is checked on the 401 without credentials.
      const bare = await request(strict.getHttpServer()).get('/transfer');
      expect(bare.status).toBe(401);
      expect(bare.headers['www-authenticate']).toBe('DPoP realm="test", algs="ES256"');
    } finally {
      await strict.close();
    }
  });
});
