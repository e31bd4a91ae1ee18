import { Controller, Get, Injectable, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  Auth,
  AuthModule,
  type AuthModuleOptions,
  CurrentUser,
  JwtStrategy,
  type Principal,
} from '../lib/index.js';
import { DeviceRegistry, DeviceStrategy, JwtTestController, jwtTestModule } from './fixtures/jwt-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './helpers/tokens.js';

const jwt = { algorithms: ['HS256'], secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE } as const;

function bootWith(options: AuthModuleOptions, controllers: unknown[] = [JwtTestController]) {
  @Module({
    imports: [AuthModule.forRoot(options)],
    controllers: controllers as never[],
    providers: [DeviceRegistry],
  })
  class BadModule {}
  return createApp('express', { imports: [BadModule] });
}

describe('configuration errors fail at boot with a fix', () => {
  it.each([
    ['an HS256 secret shorter than 32 bytes', { jwt: { ...jwt, secret: 'short' } }, /secret is 5 bytes, too short for HS256.*at least 32/],
    ['an HS512 secret shorter than 64 bytes', { jwt: { ...jwt, algorithms: ['HS512'] } }, /too short for HS512/],
    ['no algorithm allowlist', { jwt: { ...jwt, algorithms: [] } }, /algorithms is missing or empty.*List the algorithms/],
    ['alg none in the allowlist', { jwt: { ...jwt, algorithms: ['none'] } }, /"none", which nest-warden does not accept/],
    ['HS algorithms without a secret', { jwt: { ...jwt, secret: undefined } }, /no `secret` is set/],
    ['asymmetric algorithms without keys', { jwt: { ...jwt, algorithms: ['RS256'], secret: undefined } }, /no public key is configured/],
    ['a secret without HS algorithms', { jwt: { ...jwt, algorithms: ['RS256'], publicKeys: [] } }, /contain no HS\* algorithm/],
    ['a public key that is not PEM', { jwt: { ...jwt, algorithms: ['RS256'], secret: undefined, publicKeys: ['nope'] } }, /not a PEM public key/],
    ['a private JWK as a public key', { jwt: { ...jwt, algorithms: ['ES256'], secret: undefined, jwks: { keys: [{ kty: 'EC', d: 'x' }] } } }, /private JWK/],
    ['a realm with a quote', { realm: 'a"b', jwt }, /cannot be written in a WWW-Authenticate header/],
    ['an unknown default strategy', { jwt, defaultStrategies: ['saml'] }, /defaultStrategies names the strategy "saml", which is not configured/],
  ] as [string, AuthModuleOptions, RegExp][])('%s', async (_name, options, message) => {
    await expect(bootWith(options as AuthModuleOptions)).rejects.toThrow(message);
  });

  it('an unknown strategy in @Auth("x") names the route', async () => {
    @Controller()
    class TypoController {
      @Auth('jtw')
      @Get('typo')
      typo() {
        return {};
      }
    }
    await expect(bootWith({ jwt }, [TypoController])).rejects.toThrow(
      /@Auth\(\) on TypoController\.typo names the strategy "jtw", which is not configured\. Configured strategies: "jwt"/,
    );
  });

  it('a custom strategy that is not provided names the class and the fix', async () => {
    class LostStrategy extends JwtStrategy {}
    @Module({ imports: [AuthModule.forRoot({ jwt, strategies: [LostStrategy] })] })
    class M {}
    await expect(createApp('express', { imports: [M] })).rejects.toThrow(/LostStrategy.*is not a provider.*Add LostStrategy to the providers/);
  });

  it('decorator misuse throws where it is written', () => {
    expect(() => Auth('')).toThrow(/non-empty strings/);
  });
});

@Injectable()
class ConfigService {
  readonly secret = TEST_SECRET;
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

describe.each(ADAPTERS)('AuthModule wiring (%s)', (adapter) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const me = (token?: string) => {
    const req = request(app!.getHttpServer()).get('/me');
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  it('forRootAsync takes values from injected services', async () => {
    @Module({
      imports: [
        AuthModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ realm: 'async', jwt: { ...jwt, secret: config.secret } }),
          strategies: [DeviceStrategy],
        }),
      ],
      controllers: [JwtTestController],
      providers: [DeviceRegistry, DeviceStrategy],
    })
    class AsyncModule {}
    app = await createApp(adapter, { imports: [AsyncModule] });
    expect((await me().expect(401)).headers['www-authenticate']).toBe('Bearer realm="async"');
    await me(await signTestToken()).expect(200);
  });

  it('strategies are providers: app.get(JwtStrategy) resolves the live instance', async () => {
    app = await createApp(adapter, { imports: [jwtTestModule()] });
    const strategy = app.get(JwtStrategy);
    expect(strategy).toBeInstanceOf(JwtStrategy);
    expect((await strategy.verify(await signTestToken({ sub: 'direct' }))).id).toBe('direct');
  });

  it('overrideProvider(JwtStrategy) replaces the strategy everywhere', async () => {
    const fake: Pick<JwtStrategy, 'name' | 'authenticate'> = {
      name: 'jwt',
      authenticate: () => ({ id: 'fake-user', roles: ['admin'], scopes: [], permissions: [], strategy: 'jwt' }),
    };
    app = await createApp(adapter, { imports: [jwtTestModule()] }, { override: (b) => b.overrideProvider(JwtStrategy).useValue(fake) });
    const res = await me().expect(200);
    expect(res.body.id).toBe('fake-user');
  });

  it('resolveUser turns the principal into the app user; null means 401', async () => {
    const users = new Map([['u-1', { id: 'u-1', displayName: 'Ada' }]]);
    @Controller()
    class UserController {
      @Get('me')
      me(@CurrentUser() user: { displayName: string }) {
        return { displayName: user.displayName };
      }
    }
    app = await createApp(adapter, {
      imports: [bootModule({ jwt, resolveUser: async (p: Principal) => users.get(p.id) ?? null }, [UserController])],
    });
    expect((await me(await signTestToken({ sub: 'u-1' })).expect(200)).body).toEqual({ displayName: 'Ada' });
    const gone = await me(await signTestToken({ sub: 'deleted' })).expect(401);
    expect(gone.body.message).toBe('Unknown user');
    expect(gone.headers['www-authenticate']).toBe('Bearer realm="nest-warden"'); // a 401 always carries a challenge
  });

  describe('global: false (opt-in per route)', () => {
    class BaseController {
      @Auth()
      @Get('inherited')
      inherited() {
        return { base: true };
      }
    }
    @Controller()
    class OptInController extends BaseController {
      @Get('open')
      open() {
        return { open: true };
      }

      @Auth()
      @Get('closed')
      closed(@CurrentUser('id') id: string) {
        return { id };
      }

      // Overrides a protected parent method without repeating @Auth(): it must stay protected
      // (the Spring Security CVE-2025-41248 class of bug: parent metadata ignored).
      @Get('inherited')
      override inherited() {
        return { base: false };
      }
    }

    beforeEach(async () => {
      app = await createApp(adapter, { imports: [bootModule({ jwt, global: false }, [OptInController])] });
    });

    it('leaves undecorated routes open', async () => {
      await request(app!.getHttpServer()).get('/open').expect(200);
    });

    it('protects @Auth() routes', async () => {
      await request(app!.getHttpServer()).get('/closed').expect(401);
      const token = await signTestToken({ sub: 'u-3' });
      await request(app!.getHttpServer()).get('/closed').set('Authorization', `Bearer ${token}`).expect(200, { id: 'u-3' });
    });

    it('keeps a parent method protection on an override without decorators (CVE-2025-41248)', async () => {
      await request(app!.getHttpServer()).get('/inherited').expect(401);
    });
  });
});

function bootModule(options: AuthModuleOptions, controllers: unknown[]) {
  @Module({ imports: [AuthModule.forRoot(options)], controllers: controllers as never[] })
  class TestModule {}
  return TestModule;
}
