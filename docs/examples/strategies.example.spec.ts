import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PasswordHasher } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { signTestToken } from '../../test/helpers/tokens.js';
import { CHEAP_ARGON2 } from '../../test/helpers/users.js';
import {
  ApiKeysExampleModule,
  BasicExampleModule,
  EXAMPLE_JWT_SECRET,
  KeycloakExampleModule,
  mintApiKey,
  PartnerKeyRepository,
  UsersService,
} from './strategies.example.js';

describe.each(ADAPTERS)('docs/strategies.md examples (%s)', (adapter) => {
  describe('API keys', () => {
    let app: INestApplication;
    const reportingKey = 'example-only-reporting-key-0123456789';
    const partnerKey = mintApiKey().key;

    beforeAll(async () => {
      app = await createApp(adapter, { imports: [ApiKeysExampleModule] });
      app.get(PartnerKeyRepository).add(partnerKey, 'partner-42', 'ACME');
    });
    afterAll(() => app.close());

    it('mints keys that only hash to what is stored', () => {
      const { key, hash } = mintApiKey();
      expect(key).toMatch(/^acme_live_[\w-]{43}$/);
      expect(hash).toMatch(/^sha256:[\w-]{43}$/);
      expect(hash).not.toContain(key);
    });

    it('serves the header key, the partner key and the mixed route', async () => {
      const http = () => request(app.getHttpServer());
      await http().get('/reports').set('X-API-Key', reportingKey).expect(200, { generatedFor: 'reporting-job' });
      await http().get('/reports').set('X-API-Key', 'guess').expect(401);
      await http().get('/partner/orders').query({ api_key: partnerKey }).expect(200, { partnerId: 'partner-42', orders: [] });
      await http().get('/exports').set('X-API-Key', reportingKey).expect(200, { by: 'api-key' });
      const token = await signTestToken({}, { key: new TextEncoder().encode(EXAMPLE_JWT_SECRET) });
      await http().get('/exports').set('Authorization', `Bearer ${token}`).expect(200, { by: 'jwt' });
    });
  });

  describe('HTTP Basic', () => {
    it('logs in through the UsersService', async () => {
      const app = await createApp(adapter, { imports: [BasicExampleModule] }, { override: (b) => b.overrideProvider(PasswordHasher).useFactory({ factory: () => cheapHasher() }) });
      try {
        app.get(UsersService).save({ id: '1', username: 'ada', passwordHash: await app.get(PasswordHasher).hash('lovelace-1815') });
        const basic = `Basic ${Buffer.from('ada:lovelace-1815').toString('base64')}`;
        await request(app.getHttpServer()).get('/basic/whoami').set('Authorization', basic).expect(200, { username: 'ada' });
        const res = await request(app.getHttpServer()).get('/basic/whoami').expect(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="acme", charset="UTF-8"');
      } finally {
        await app.close();
      }
    });
  });

  describe('OpenID Connect', () => {
    it('boots with the provider unreachable and answers 503, not 500', async () => {
      process.env.OIDC_ISSUER = 'http://127.0.0.1:9/realms/acme'; // the discard port: nothing listens
      try {
        const app = await createApp(adapter, { imports: [KeycloakExampleModule] });
        try {
          await request(app.getHttpServer()).get('/orders').set('Authorization', 'Bearer a.b.c').expect(503);
          await request(app.getHttpServer()).get('/orders').expect(401);
        } finally {
          await app.close();
        }
      } finally {
        delete process.env.OIDC_ISSUER;
      }
    });
  });
});

/** The example uses OWASP parameters; the test swaps in cheap ones to stay fast. */
async function cheapHasher(): Promise<PasswordHasher> {
  const { Argon2PasswordHasher } = await import('../../lib/index.js');
  return new Argon2PasswordHasher(CHEAP_ARGON2);
}
