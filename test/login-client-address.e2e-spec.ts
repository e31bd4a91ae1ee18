import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Auth, AuthModule, type AuthModuleOptions, CurrentUser, type Principal, UserDirectory } from '../lib/index.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { STORE_VARIANTS } from './helpers/store-variants.js';
import { ALICE, CHEAP_ARGON2, InMemoryUsers } from './helpers/users.js';

@Controller()
class WhoAmIController {
  @Auth('basic')
  @Get('whoami')
  whoami(@CurrentUser() user: Principal) {
    return { username: user.username };
  }
}

function appModule(options: Partial<AuthModuleOptions>) {
  @Module({
    imports: [
      AuthModule.forRoot({
        basic: {},
        passwords: CHEAP_ARGON2,
        // Per-address lockout after 3 failures; accounts effectively never lock here.
        lockout: { addressThreshold: 3, accountThreshold: 1000 },
        ...options,
      }),
    ],
    controllers: [WhoAmIController],
    providers: [InMemoryUsers, { provide: UserDirectory, useExisting: InMemoryUsers }],
  })
  class LoginAddressModule {}
  return LoginAddressModule;
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe.each(ADAPTERS)('per-address login lockout follows trustProxy (%s)', (adapter) => {
  let app: INestApplication;
  afterEach(() => app.close());

  async function boot(options: Partial<AuthModuleOptions>) {
    app = await createApp(adapter, { imports: [appModule(options)] });
    await app.get(InMemoryUsers).add(ALICE);
  }
  const attempt = (client: string, password: string, username = ALICE.username) =>
    request(app.getHttpServer()).get('/whoami').set('X-Forwarded-For', client).set('Authorization', basic(username, password));

  it('behind a trusted proxy, each forwarded client has its own budget', async () => {
    await boot({ trustProxy: ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.1/128'] });
    for (const name of ['u1', 'u2', 'u3']) await attempt('203.0.113.1', 'wrong', name).expect(401);
    const locked = await attempt('203.0.113.1', ALICE.password).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Another client behind the same proxy is unaffected.
    await attempt('203.0.113.2', ALICE.password).expect(200, { username: 'alice' });
  });

  it('without trustProxy, X-Forwarded-For is ignored: spoofing it does not reset the budget', async () => {
    await boot({});
    for (const [i, name] of ['u1', 'u2', 'u3'].entries()) await attempt(`198.51.100.${i}`, 'wrong', name).expect(401);
    await attempt('198.51.100.99', ALICE.password).expect(429);
  });
});

const storeCases = ADAPTERS.flatMap((adapter) => STORE_VARIANTS.map((variant) => [adapter, variant.name, variant] as const));

describe.each(storeCases)('issue 18 item 8: one address parser for every feature keying on addresses (%s, %s)', (adapter, _name, variant) => {
  let app: INestApplication;
  afterEach(() => app.close());

  async function boot() {
    app = await createApp(
      adapter,
      { imports: [appModule({ trustProxy: ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.1/128'] })] },
      { override: (builder) => variant.override(builder) },
    );
    await app.get(InMemoryUsers).add(ALICE);
  }
  const attempt = (client: string, password: string, username = ALICE.username) =>
    request(app.getHttpServer()).get('/whoami').set('X-Forwarded-For', client).set('Authorization', basic(username, password));

  it('counts ::ffff:a00:1 (IPv4-mapped, hex) and ::ffff:10.0.0.1 as 10.0.0.1: respelling the address does not reset its budget', async () => {
    await boot();
    await attempt('10.0.0.1', 'wrong', 'u1').expect(401);
    await attempt('::ffff:a00:1', 'wrong', 'u2').expect(401);
    await attempt('::FFFF:10.0.0.1', 'wrong', 'u3').expect(401);
    await attempt('10.0.0.1', ALICE.password).expect(429);
    await attempt('::ffff:a00:1', ALICE.password).expect(429);
    await attempt('10.0.0.2', ALICE.password).expect(200, { username: 'alice' });
  });

  it('keys each unparseable address on its own: one client sending junk cannot lock out every other client whose address is junk', async () => {
    await boot();
    for (const name of ['u1', 'u2', 'u3']) await attempt('not-an-address', 'wrong', name).expect(401);
    await attempt('not-an-address', ALICE.password).expect(429);
    await attempt('unknown', ALICE.password).expect(200, { username: 'alice' });
    await attempt('proxy.internal', ALICE.password).expect(200, { username: 'alice' });
  });
});
