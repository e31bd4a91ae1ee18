/**
 * Flat cost: per-request cost of the guard from 10 to 10,000 routes, and boot time for 10,000
 * routes (with nest-warden and without, on both adapters). Routes come in controllers of ten,
 * a third with no decorator (the default strategy), a third `@Roles('user')`, a third
 * `@Scopes('items:read')`. Per request: the guard called in-process on 256 routes spread over the
 * app, in turn (a warm HS256 token). `npm run bench:routes` (BENCH_QUICK=1: up to 1,000 routes).
 */
import { Controller, Get, type INestApplication, type Type } from '@nestjs/common';
import { AuthModule, Roles, Scopes } from '../../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_ROLE, BENCH_SECRET } from '../bench-config.js';
import { signTokens } from '../sign-tokens.js';
import { QUICK, table } from '../stats.js';
import { ITEM } from '../variants.js';
import { bootApp, guardCall, guardOf, measureInterleaved, printResult, resultTable } from './in-process.js';

const SIZES = QUICK ? [10, 100, 1_000] : [10, 100, 1_000, 10_000];
const PER_CONTROLLER = 10;
const SAMPLED_ROUTES = 256;

function controllers(routes: number): Type[] {
  const out: Type[] = [];
  for (let c = 0; c < routes / PER_CONTROLLER; c++) {
    const RoutesController = class {};
    Object.defineProperty(RoutesController, 'name', { value: `Routes${c}Controller` });
    for (let j = 0; j < PER_CONTROLLER; j++) {
      const name = `r${j}`;
      Object.defineProperty(RoutesController.prototype, name, { value: () => ITEM, writable: true, configurable: true });
      const decorators: MethodDecorator[] = [Get(name)];
      if ((c * PER_CONTROLLER + j) % 3 === 1) decorators.push(Roles(BENCH_ROLE));
      if ((c * PER_CONTROLLER + j) % 3 === 2) decorators.push(Scopes('items:read'));
      const descriptor = Object.getOwnPropertyDescriptor(RoutesController.prototype, name)!;
      Object.defineProperty(RoutesController.prototype, name, Reflect.decorate(decorators, RoutesController.prototype, name, descriptor) ?? descriptor);
    }
    Controller(`c${c}`)(RoutesController);
    out.push(RoutesController);
  }
  return out;
}

const jwt = { algorithms: ['HS256' as const], secret: BENCH_SECRET, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE };

async function boot(routes: number, adapter: 'fastify' | 'express', withWarden: boolean): Promise<{ app: INestApplication; ms: number; list: Type[] }> {
  const list = controllers(routes);
  const { app, ms } = await bootApp({ imports: withWarden ? [AuthModule.forRoot({ jwt })] : [], controllers: list }, adapter);
  return { app, ms, list };
}

async function main(): Promise<void> {
  const [token] = await signTokens('HS256', 1);
  const headers = { authorization: `Bearer ${token}` };
  // A throwaway boot of each kind first, so that module loading and JIT warm-up are not billed to the first size.
  for (const adapter of ['fastify', 'express'] as const) for (const w of [true, false]) await (await boot(10, adapter, w)).app.close();

  const bootRows: string[][] = [];
  const cases = [];
  const keep: INestApplication[] = [];
  for (const routes of SIZES) {
    const row = [routes.toLocaleString('en')];
    for (const adapter of ['fastify', 'express'] as const) {
      for (const withWarden of [false, true]) {
        const { app, ms, list } = await boot(routes, adapter, withWarden);
        row.push(`${ms.toFixed(0)} ms`);
        if (withWarden && adapter === 'express') {
          keep.push(app);
          const guard = guardOf(app);
          const calls: (() => unknown)[] = [];
          const step = Math.max(1, Math.floor(routes / SAMPLED_ROUTES));
          for (let i = 0; i < routes && calls.length < SAMPLED_ROUTES; i += step) {
            const controller = list[Math.floor(i / PER_CONTROLLER)];
            calls.push(guardCall(guard, controller, controller.prototype[`r${i % PER_CONTROLLER}`], headers));
          }
          let next = 0;
          cases.push({ label: routes.toLocaleString('en'), call: () => calls[next++ % calls.length]() });
        } else {
          await app.close();
        }
      }
    }
    bootRows.push(row);
    console.log(`routes: ${routes} booted (${row.slice(1).join(', ')})`);
  }
  const results = await measureInterleaved(cases);
  for (const app of keep) await app.close();
  printResult({
    name: 'routes',
    results,
    boot: bootRows,
    markdown: [
      `**Routes** (the guard per request over up to ${SAMPLED_ROUTES} routes spread over the app, in-process; a warm HS256 token):`,
      '',
      ...resultTable('routes', results),
      '',
      'Boot time (`NestFactory.create` + `init`, Fastify also `ready`; one run each, in one process, after a throwaway boot):',
      '',
      ...table(['routes', 'Fastify, no auth', 'Fastify, nest-warden', 'Express, no auth', 'Express, nest-warden'], ['r', 'r', 'r', 'r', 'r'], bootRows),
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
