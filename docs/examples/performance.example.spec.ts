import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type Argon2PasswordHasher, Clock, PasswordHasher, UserRevocation } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { FakeClock } from '../../lib/testing/index.js';
import { signTestToken } from '../../test/helpers/tokens.js';
import { JWT_SECRET, ProfileModule, RevocationAwareJwtStrategy } from './performance.example.js';

/** Boots the module of docs/performance.md, so what the guide claims is what the code does. */
describe.each(ADAPTERS)('docs/examples/performance (%s)', (adapter) => {
  const clock = new FakeClock();
  let app: INestApplication;
  const sign = (sub: string) =>
    signTestToken({ sub, iss: 'https://auth.example.com', aud: 'notes-api' }, { key: new TextEncoder().encode(JWT_SECRET), now: clock.now() });
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [ProfileModule] }, { override: (b) => b.overrideProvider(Clock).useValue(clock) });
  });
  afterAll(() => app.close());

  it('answers a repeated token from the cache, and still refuses it after "sign out everywhere"', async () => {
    const token = await sign('u-1');
    await me(token).expect(200, { id: 'u-1' });
    await me(token).expect(200);
    expect(app.get(RevocationAwareJwtStrategy).verifiedTokens!.has(token)).toBe(true);

    clock.advance(10_000);
    await app.get(UserRevocation).revokeUser('u-1', 'logout-everywhere');
    const res = await me(token).expect(401);
    expect(res.body.message).toBe('The access token was revoked');

    clock.advance(1_000);
    await me(await sign('u-1')).expect(200); // a token issued afterwards is fine
    await me(await sign('u-2')).expect(200); // and other users are untouched
  });

  it('takes the hasher limits from the options', () => {
    expect((app.get(PasswordHasher) as Argon2PasswordHasher).limits).toEqual({ concurrency: 2, maxQueue: 32 });
  });
});
