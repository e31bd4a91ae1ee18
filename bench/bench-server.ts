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
import { Auth, AuthModule, type AuthModuleOptions, PasswordHasher, Public, RedisStore, type UserAccount, UserDirectory } from '../lib/index.js';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_ISSUER, BENCH_PASSWORD, BENCH_SECRET, BENCH_USER } from './bench-config.js';

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
      // The token service's own HS256 tokens: its deny list (revoked jti, revoked user) asked in
      // Redis on every request, cached token or not.
      return {
        imports: [
          AuthModule.forRoot({
            tokens: { ...jwtCommon, signing: { secret: BENCH_SECRET }, clients: [{ id: BENCH_CLIENT }] },
            tokenEndpoints: false,
            store: new RedisStore({
              url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
              keyPrefix: `bench:${randomBytes(6).toString('hex')}:`,
            }),
          }),
        ],
        controllers: [ItemController],
        providers: [BenchUsers, { provide: UserDirectory, useExisting: BenchUsers }],
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
