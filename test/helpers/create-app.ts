import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

export type AdapterName = 'express' | 'fastify';

/** Every e2e suite runs on both HTTP adapters: `describe.each(ADAPTERS)('...', (adapter) => ...)`. */
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

export interface CreateAppOptions {
  /** Customize the testing module, e.g. `(b) => b.overrideProvider(Clock).useValue(clock)`. */
  readonly override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Runs before `init()`, e.g. to add global pipes. */
  readonly beforeInit?: (app: INestApplication) => void | Promise<void>;
}

/** Boots a real Nest application on the given adapter, ready for supertest. */
export async function createApp(
  adapter: AdapterName,
  metadata: ModuleMetadata,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  let builder = Test.createTestingModule(metadata);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await options.beforeInit?.(app);
  await app.init();
  if (adapter === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}
