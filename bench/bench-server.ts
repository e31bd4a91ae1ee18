/**
 * One benchmark server per process: `node .build/bench/bench-server.js <adapter> <variant>`.
 * Prints `READY <port>` when listening. Every variant serves the same route and payload.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { ExtractJwt, Strategy } from 'passport-jwt';
import {
  Auth,
  AuthError,
  AuthModule,
  type AuthModuleOptions,
  AuthOptions,
  AuthStore,
  Clock,
  JwtStrategy,
  type MaybePromise,
  PasswordHasher,
  type Principal,
  Public,
  RedisStore,
  type UserAccount,
  UserDirectory,
} from '../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_PASSWORD, BENCH_SECRET, BENCH_USER } from './bench-config.js';

const PAYLOAD = { id: 1, name: 'item', tags: ['a', 'b'], ok: true };

@Controller()
class ItemController {
  @Get('item')
  item() {
    return PAYLOAD;
  }
}

@Controller()
class PublicItemController {
  @Public()
  @Get('item')
  item() {
    return PAYLOAD;
  }
}

/** passport-jwt configured as the @nestjs/passport documentation shows (secretOrKey a string). */
@Injectable()
class DocsJwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), ignoreExpiration: false, secretOrKey: BENCH_SECRET });
  }
  validate(payload: { sub: string }) {
    return { userId: payload.sub };
  }
}

/**
 * A per-request revocation check against the store, the way the token service's deny list asks
 * it: one `GET` of the token's `jti` on every request, cache hit or not, failing closed. (The deny
 * list itself lives with the token service; this stand-in makes the same store round trip.)
 */
@Injectable()
class RevocationCheckedJwtStrategy extends JwtStrategy {
  override readonly name = 'jwt-revocable';

  constructor(
    options: AuthOptions,
    clock: Clock,
    private readonly store: AuthStore,
  ) {
    super(options, clock);
  }

  protected override afterVerification(principal: Principal): MaybePromise<Principal> {
    return this.store.get(`deny:jti:${principal.tokenId}`).then((revoked) => {
      if (revoked !== null) throw new AuthError('invalid_token', { description: 'The access token was revoked', strategy: this.name });
      return principal;
    });
  }
}

/** Password logins through HTTP Basic (`GET /login`) beside the bearer route (`GET /item`). */
@Controller()
class LoginController {
  @Auth('basic')
  @Get('login')
  login() {
    return PAYLOAD;
  }
}

/** One account, hashed at boot with the hasher's own (default OWASP) parameters. */
@Injectable()
class BenchUsers extends UserDirectory {
  private account: UserAccount | undefined;
  constructor(private readonly hasher: PasswordHasher) {
    super();
  }
  async onModuleInit(): Promise<void> {
    this.account = { id: 'u-bench', username: BENCH_USER, passwordHash: await this.hasher.hash(BENCH_PASSWORD) };
  }
  async findByUsername(username: string): Promise<UserAccount | null> {
    return username === BENCH_USER ? this.account! : null;
  }
  async findById(id: string): Promise<UserAccount | null> {
    return id === this.account?.id ? this.account : null;
  }
}

function wardenModule(options: AuthModuleOptions): ModuleMetadata {
  return { imports: [AuthModule.forRoot(options)], controllers: [ItemController] };
}

function metadataFor(variant: string): ModuleMetadata {
  const jwtCommon = { issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE };
  switch (variant) {
    case 'no-auth':
      return { controllers: [ItemController] };
    case 'warden-public':
      return { imports: [AuthModule.forRoot({ global: false })], controllers: [PublicItemController] };
    case 'warden-hs256':
      return wardenModule({ jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, ...jwtCommon } });
    case 'warden-eddsa':
      return wardenModule({
        jwt: { algorithms: ['EdDSA'], publicKeys: [readFileSync(process.env.BENCH_EDDSA_PUBLIC_PEM!, 'utf8')], ...jwtCommon },
      });
    case 'warden-hs256-redis':
      return {
        imports: [
          AuthModule.forRoot({
            jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, ...jwtCommon },
            defaultStrategies: ['jwt-revocable'],
            store: new RedisStore({
              url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
              keyPrefix: `bench:${randomBytes(6).toString('hex')}:`,
            }),
            strategies: [RevocationCheckedJwtStrategy],
          }),
        ],
        controllers: [ItemController],
        providers: [RevocationCheckedJwtStrategy],
      };
    case 'warden-login':
      return {
        imports: [
          AuthModule.forRoot({
            jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, ...jwtCommon },
            defaultStrategies: ['jwt'],
            basic: {},
            // Default argon2id (OWASP) parameters; the lockout out of the way of a flood of right passwords.
            passwords: { concurrency: Number(process.env.BENCH_HASH_CONCURRENCY) || undefined },
            lockout: { accountThreshold: 1e9, addressThreshold: 1e9 },
          }),
        ],
        controllers: [ItemController, LoginController],
        providers: [BenchUsers, { provide: UserDirectory, useExisting: BenchUsers }],
      };
    case 'passport-jwt':
      return {
        imports: [PassportModule],
        controllers: [ItemController],
        providers: [DocsJwtStrategy, { provide: APP_GUARD, useClass: PassportAuthGuard('jwt') }],
      };
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

async function main(): Promise<void> {
  const [adapter, variant] = process.argv.slice(2);
  @Module(metadataFor(variant))
  class BenchModule {}
  const app: INestApplication =
    adapter === 'fastify'
      ? await NestFactory.create(BenchModule, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(BenchModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${address.port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
