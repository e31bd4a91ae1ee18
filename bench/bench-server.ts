/**
 * One benchmark server per process: `node .build/bench/bench-server.js <adapter> <variant>`.
 * Prints `READY <port>` when listening. Every variant serves the same route and payload.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthModule, type AuthModuleOptions, Public } from '../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_SECRET } from './bench-config.js';

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
