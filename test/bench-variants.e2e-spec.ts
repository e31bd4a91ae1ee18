import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { BENCH_CLIENT, BENCH_PASSWORD, BENCH_USER } from '../bench/bench-config.js';
import { credentialNamed, type Headers, makeKeys } from '../bench/credentials.js';
import { ITEM, loginModule, type VariantContext, variantModule, VARIANTS } from '../bench/variants.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { REDIS_URL } from './helpers/redis-server.js';

/**
 * The benchmark's apps must stay what the benchmark says they are: every variant of
 * `bench/variants.ts` boots on each adapter it lists and answers its credentials 200 and a missing
 * or forged one 401 (the no-auth baseline answers everything), and the login-flood app takes the
 * password on both of its endpoints. No timing here: `npm run bench` measures.
 */
const keys = makeKeys();
const context: VariantContext = {
  eddsaPublicPem: keys.eddsaPublicPem,
  redisUrl: REDIS_URL,
  redisKeyPrefix: `test:bench:${randomBytes(6).toString('hex')}:`,
};

describe.each(ADAPTERS)('bench variants (%s)', (adapter) => {
  const variants = VARIANTS.filter((v) => v.adapters.includes(adapter));

  describe.each(variants.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    let app: INestApplication;
    const item = (headers: Headers = {}) => request(app.getHttpServer()).get('/item').set({ ...headers });
    const credential = credentialNamed(variant.credential);

    beforeAll(async () => {
      app = await createApp(adapter, variantModule(variant, context));
    });
    afterAll(() => app?.close());

    it.each(variant.modes)('answers valid %s credentials 200 with the item', async (mode) => {
      for (const headers of await credential.valid(keys, mode, 3, 0)) {
        expect((await item(headers).expect(200)).body).toEqual(ITEM);
      }
    });

    if (variant.checks === 'nothing') {
      it('is the unauthenticated baseline: answers without credentials too', async () => {
        expect((await item().expect(200)).body).toEqual(ITEM);
      });
    } else {
      it('answers a request without credentials 401', async () => {
        await item().expect(401);
      });
    }

    if (variant.checks === 'token') {
      it('answers a forged token (signed by a key it does not trust) 401', async () => {
        await item(await credential.forged(keys)).expect(401);
      });
    }
  });

  describe('login-flood app', () => {
    let app: INestApplication;
    const basic = (password: string) => `Basic ${Buffer.from(`${BENCH_USER}:${password}`).toString('base64')}`;
    const grant = (password: string) =>
      request(app.getHttpServer())
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'password', username: BENCH_USER, password, client_id: BENCH_CLIENT });

    beforeAll(async () => {
      app = await createApp(adapter, loginModule());
    });
    afterAll(() => app?.close());

    it('takes the right password through HTTP Basic and refuses a wrong one', async () => {
      await request(app.getHttpServer()).get('/login').set('Authorization', basic(BENCH_PASSWORD)).expect(200);
      await request(app.getHttpServer()).get('/login').set('Authorization', basic('wrong password')).expect(401);
    });

    it('issues a token for the password grant and refuses a wrong password', async () => {
      const { body } = await grant(BENCH_PASSWORD).expect(200);
      expect(body).toEqual(expect.objectContaining({ token_type: 'Bearer', access_token: expect.any(String) }));
      expect((await grant('wrong password').expect(400)).body.error).toBe('invalid_grant');
    });

    it('serves the bearer GET the flood is measured against', async () => {
      const [valid] = await credentialNamed('hs256').valid(keys, 'warm', 1, 0);
      await request(app.getHttpServer()).get('/item').set({ ...valid }).expect(200);
      await request(app.getHttpServer()).get('/item').set({ ...(await credentialNamed('hs256').forged(keys)) }).expect(401);
    });
  });
});
