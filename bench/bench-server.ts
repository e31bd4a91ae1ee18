/**
 * One benchmark server per process: `node .build/bench/bench-server.js <adapter> <variant>` (a
 * name from `VARIANTS`, or `login` for the login-flood app). Prints `READY <port>` once listening.
 * Environment: BENCH_EDDSA_PUBLIC_PEM (the PEM itself), BENCH_REDIS_URL, BENCH_REDIS_PREFIX (instances
 * that share state: the same prefix; default a new one per process), BENCH_HASH_CONCURRENCY.
 */
import 'reflect-metadata';
import { Module, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { type AdapterName, loginModule, variantModule, variantNamed } from './variants.js';

export async function createBenchApp(adapter: AdapterName, metadata: ModuleMetadata): Promise<INestApplication> {
  @Module(metadata)
  class BenchModule {}
  return adapter === 'fastify'
    ? NestFactory.create(BenchModule, new FastifyAdapter(), { logger: ['error'] })
    : NestFactory.create(BenchModule, { logger: ['error'] });
}

async function main(): Promise<void> {
  const [adapter, name] = process.argv.slice(2) as [AdapterName, string];
  if (adapter !== 'fastify' && adapter !== 'express') throw new Error(`unknown adapter ${adapter}`);
  const metadata =
    name === 'login'
      ? loginModule(Number(process.env.BENCH_HASH_CONCURRENCY) || undefined)
      : variantModule(variantNamed(name), {
          eddsaPublicPem: process.env.BENCH_EDDSA_PUBLIC_PEM ?? '',
          redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
          redisKeyPrefix: process.env.BENCH_REDIS_PREFIX ?? `bench:${randomBytes(6).toString('hex')}:`,
        });
  const app = await createBenchApp(adapter, metadata);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${address.port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
