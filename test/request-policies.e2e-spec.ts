import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { AllowFrom, type AuthModuleOptions } from '../lib/index.js';
import { policiesTestModule } from './fixtures/policies-app.js';
import { ADAPTERS, type AdapterName, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

const NOT_ALLOWED = 'Access from this network address is not allowed';
const HTTPS_REQUIRED = 'HTTPS is required';

const boot = (adapter: AdapterName, options: AuthModuleOptions) => createApp(adapter, { imports: [policiesTestModule(options)] });

describe.each(ADAPTERS)('request policies (%s)', (adapter) => {
  let token: string;
  beforeAll(async () => {
    token = await signTestToken();
  });

  describe('@AllowFrom without a trusted proxy (the default)', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, {});
    });
    afterAll(() => app.close());

    it('refuses a client outside the list with 403 and a clear message, on a @Public() route', async () => {
      const res = await request(app.getHttpServer()).get('/internal/status');
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ statusCode: 403, message: NOT_ALLOWED, error: 'Forbidden' });
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('ignores a spoofed X-Forwarded-For from an untrusted peer', async () => {
      for (const spoofed of ['10.1.2.3', '10.1.2.3, 10.1.2.4', '2001:db8::1']) {
        await request(app.getHttpServer()).get('/internal/status').set('X-Forwarded-For', spoofed).expect(403);
      }
    });

    it('lets a listed client (loopback, IPv4-mapped on the socket) through to authentication', async () => {
      const anonymous = await request(app.getHttpServer()).get('/ops/status');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="test"');
      await request(app.getHttpServer()).get('/ops/status').set('Authorization', `Bearer ${token}`).expect(200, { ops: true });
    });

    it('checks the address before credentials: a valid token does not get past the allowlist', async () => {
      await request(app.getHttpServer()).get('/internal/status').set('Authorization', `Bearer ${token}`).expect(403);
    });

    it('lets the method-level list replace the class-level one', async () => {
      // OpsController allows loopback; ping allows only 10.0.0.0/8.
      const res = await request(app.getHttpServer()).get('/ops/ping');
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(NOT_ALLOWED);
    });

    it('leaves routes without @AllowFrom alone', async () => {
      await request(app.getHttpServer()).get('/health').set('X-Forwarded-For', '203.0.113.9').expect(200);
    });
  });

  describe('@AllowFrom behind a trusted proxy (trustProxy: loopback)', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, { trustProxy: ['loopback'] });
    });
    afterAll(() => app.close());

    it.each([
      ['10.1.2.3', 200],
      ['2001:db8::5', 200],
      ['::ffff:10.1.2.3', 200],
      ['203.0.113.5:4711, 10.1.2.3', 200],
      ['203.0.113.5', 403],
      ['2001:db9::5', 403],
      // a client prepending an allowed address: the right-most untrusted one is the client
      ['10.1.2.3, 203.0.113.5', 403],
      ['not-an-address', 403],
    ])('X-Forwarded-For %j → %i', async (forwarded, status) => {
      await request(app.getHttpServer()).get('/internal/status').set('X-Forwarded-For', forwarded).expect(status);
    });

    it('uses the proxy itself as the client when it forwards nothing', async () => {
      await request(app.getHttpServer()).get('/internal/status').expect(403);
      await request(app.getHttpServer()).get('/ops/status').expect(401);
    });
  });

  describe('trustProxy that does not include the actual peer', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, { trustProxy: ['192.0.2.0/24'] });
    });
    afterAll(() => app.close());

    it('does not believe X-Forwarded-For', async () => {
      await request(app.getHttpServer()).get('/internal/status').set('X-Forwarded-For', '10.1.2.3').expect(403);
    });
  });

  describe('trustProxy as a hop count', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, { trustProxy: 1 });
    });
    afterAll(() => app.close());

    it('takes the address our one proxy appended', async () => {
      await request(app.getHttpServer()).get('/internal/status').set('X-Forwarded-For', '203.0.113.5, 10.1.2.3').expect(200);
      await request(app.getHttpServer()).get('/internal/status').set('X-Forwarded-For', '10.1.2.3, 203.0.113.5').expect(403);
    });
  });

  describe('requireHttps without a trusted proxy', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, { requireHttps: true });
    });
    afterAll(() => app.close());

    it('refuses plain HTTP with 403 on every route, public ones included', async () => {
      for (const path of ['/health', '/me', '/posts', '/internal/status']) {
        const res = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ statusCode: 403, message: HTTPS_REQUIRED, error: 'Forbidden' });
      }
    });

    it('does not believe X-Forwarded-Proto from an untrusted peer', async () => {
      await request(app.getHttpServer()).get('/health').set('X-Forwarded-Proto', 'https').expect(403);
    });
  });

  describe('requireHttps behind a trusted proxy', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, { requireHttps: true, trustProxy: ['loopback'] });
    });
    afterAll(() => app.close());

    it('believes X-Forwarded-Proto: https from the proxy', async () => {
      await request(app.getHttpServer()).get('/health').set('X-Forwarded-Proto', 'https').expect(200);
    });

    it('refuses what the proxy says came over plain HTTP, or says nothing about', async () => {
      await request(app.getHttpServer()).get('/health').set('X-Forwarded-Proto', 'http').expect(403);
      await request(app.getHttpServer()).get('/health').set('X-Forwarded-Proto', 'https, http').expect(403);
      await request(app.getHttpServer()).get('/health').expect(403);
    });

    it('checks HTTPS first, then the allowlist, then credentials', async () => {
      const server = app.getHttpServer();
      await request(server).get('/internal/status').set('X-Forwarded-For', '10.1.2.3').expect(403);
      await request(server).get('/internal/status').set('X-Forwarded-For', '10.1.2.3').set('X-Forwarded-Proto', 'https').expect(200);
      await request(server).get('/me').set('X-Forwarded-Proto', 'https').expect(401);
      await request(server).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', `Bearer ${token}`).expect(200);
    });
  });

  describe('requireHttps with exempt clients', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot(adapter, { requireHttps: { exempt: ['loopback'] } });
    });
    afterAll(() => app.close());

    it('lets exempt clients use plain HTTP', async () => {
      await request(app.getHttpServer()).get('/health').expect(200);
    });
  });

  describe('requireHttps on a real TLS connection', () => {
    const key = readFileSync(new URL('./fixtures/tls/localhost.key.pem', import.meta.url));
    const cert = readFileSync(new URL('./fixtures/tls/localhost.cert.pem', import.meta.url));
    let app: INestApplication;
    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({ imports: [policiesTestModule({ requireHttps: true })] }).compile();
      app =
        adapter === 'fastify'
          ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ https: { key, cert } }), { logger: false })
          : moduleRef.createNestApplication({ httpsOptions: { key, cert }, logger: false });
      await app.init();
      if (adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    });
    afterAll(() => app.close());

    it('accepts the request without any forwarded header', async () => {
      await request(app.getHttpServer()).get('/health').ca(cert).expect(200, { ok: true });
      await request(app.getHttpServer()).get('/me').ca(cert).expect(401);
    });
  });
});

describe('request policy configuration', () => {
  it.each([
    [{ trustProxy: true }, 'trustProxy true is not supported: it would believe any X-Forwarded-For a client writes'],
    [{ trustProxy: ['10.0.0.0/40'] }, 'trustProxy: "10.0.0.0/40" is not a valid CIDR range'],
    [{ trustProxy: 'loopback' }, 'trustProxy "loopback" is not supported'],
    [{ trustProxy: -1 }, 'trustProxy -1 is not supported'],
    [{ requireHttps: 'yes' }, 'requireHttps "yes" is not supported'],
    [{ requireHttps: { exempt: ['nope'] } }, 'requireHttps.exempt: "nope" is not an IP address or CIDR range'],
    [{ errorResponse: 'xml' }, "errorResponse \"xml\" is not supported. Use 'nest', 'problem+json', or a function"],
    [{ strict: 'yes' }, 'strict "yes" is not a boolean. Use strict: true or false.'],
    [{ explainDenials: 1 }, 'explainDenials 1 is not a boolean.'],
  ])('refuses %j at boot', async (options, message) => {
    await expect(createApp('express', { imports: [policiesTestModule(options as AuthModuleOptions)] })).rejects.toThrow(message);
  });

  it('refuses a bad @AllowFrom entry where it is written (when the class is defined)', () => {
    expect(() => AllowFrom('10.0.0.0/8', '10.0.0.300')).toThrow('@AllowFrom(): "10.0.0.300" is not an IP address or CIDR range');
    expect(() => AllowFrom()).toThrow('@AllowFrom() needs at least one address or CIDR range');
  });
});
