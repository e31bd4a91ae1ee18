/**
 * In-process measurement for the flat-cost scripts: the guard (or a strategy) called directly on a
 * booted Nest application, without HTTP, so that a cost that grows with the data is not hidden
 * by the noise of a network stack. Every size is booted at once and measured in interleaved
 * batches (shuffled each round), as the HTTP benchmark interleaves its windows.
 */
import 'reflect-metadata';
import type { CanActivate, ExecutionContext, INestApplication, ModuleMetadata, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuthGuard } from '../../lib/index.js';
import { envNumber, formatSpread, prng, shuffle, spread, type Spread, table } from '../stats.js';

export interface Case {
  readonly label: string;
  /** One request's worth of work; a returned promise is awaited. */
  readonly call: () => unknown;
}

export interface CaseResult {
  readonly label: string;
  /** Nanoseconds per call, one value per round. */
  readonly ns: Spread;
  /** Per round: this case's ns ÷ the first case's ns in the same round. */
  readonly relative: Spread;
  readonly batch: number;
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | null)?.then === 'function';

/** ns per call over `count` calls, `concurrency` of them in flight (as concurrent requests would be). */
async function timeBatch(call: () => unknown, count: number, concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      const result = call();
      if (isPromise(result)) await result;
    }
  };
  if (concurrency <= 1) await worker();
  else await Promise.all(Array.from({ length: concurrency }, worker));
  return Number(process.hrtime.bigint() - started) / count;
}

/**
 * Calls each case in batches of about `batchMs`, `rounds` times, in a new shuffled order each
 * round. Reports ns per call (median, p10–p90) and the ratio to the first case, per round.
 */
export async function measureInterleaved(
  cases: readonly Case[],
  options: { rounds?: number; batchMs?: number; seed?: number; concurrency?: number } = {},
): Promise<CaseResult[]> {
  const rounds = options.rounds ?? envNumber('BENCH_FLAT_ROUNDS', 15, 3);
  const batchMs = options.batchMs ?? envNumber('BENCH_FLAT_BATCH_MS', 40, 10);
  const concurrency = options.concurrency ?? 1;
  const batches = new Map<Case, number>();
  for (const c of cases) {
    // Calibration, also the warm-up: batches of growing size until one takes 20 ms, then size the batch.
    let count = 8;
    let perCall = await timeBatch(c.call, count, concurrency);
    while (perCall * count < 20e6) {
      count *= 2;
      perCall = await timeBatch(c.call, count, concurrency);
    }
    batches.set(c, Math.max(1, Math.round((batchMs * 1e6) / perCall)));
  }
  const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const random = prng(options.seed ?? 20);
  for (let round = 0; round < rounds; round++) {
    for (const c of shuffle(cases, random)) samples.get(c)!.push(await timeBatch(c.call, batches.get(c)!, concurrency));
  }
  const first = samples.get(cases[0])!;
  return cases.map((c) => {
    const mine = samples.get(c)!;
    return { label: c.label, ns: spread(mine), relative: spread(mine.map((v, i) => v / first[i])), batch: batches.get(c)! };
  });
}

/** The execution context the guard sees for an HTTP request to `handler` of `controller`. */
export function httpContext(controller: Type, handler: (...args: never[]) => unknown, request: object, response: object = {}): ExecutionContext {
  const args = [request, response, () => undefined];
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => args[2] };
  return {
    getClass: () => controller,
    getHandler: () => handler,
    getArgs: () => args,
    getArgByIndex: (i: number) => args[i],
    getType: () => 'http',
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('not rpc');
    },
    switchToWs: () => {
      throw new Error('not ws');
    },
  } as unknown as ExecutionContext;
}

/** One guard call on a fresh request object (as each HTTP request brings one); throws if the guard denies. */
export function guardCall(guard: CanActivate, controller: Type, handler: (...args: never[]) => unknown, headers: Record<string, string>): () => unknown {
  return () => {
    const result = guard.canActivate(httpContext(controller, handler, { headers: { ...headers }, method: 'GET', url: '/' }));
    if (isPromise(result)) {
      return result.then((ok) => {
        if (ok !== true) throw new Error('the guard denied a valid request');
      });
    }
    if (result !== true) throw new Error('the guard denied a valid request');
    return undefined;
  };
}

/** Boots an application (not listening) and returns it with its `AuthGuard`. */
export async function bootApp(metadata: ModuleMetadata, adapter: 'fastify' | 'express' = 'express'): Promise<{ app: INestApplication; ms: number }> {
  @Module(metadata)
  class FlatModule {}
  const started = performance.now();
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(FlatModule, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(FlatModule, { logger: ['error'] });
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return { app, ms: performance.now() - started };
}

/** The app's nest-warden guard. */
export const guardOf = (app: INestApplication): AuthGuard => app.get(AuthGuard);

export function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

export function resultTable(sizeHeader: string, results: readonly CaseResult[]): string[] {
  return table(
    [sizeHeader, 'per request (median, p10–p90)', '× smallest (per round)'],
    ['r', 'r', 'r'],
    results.map((r) => [r.label, `${formatNs(r.ns.median)} (${formatNs(r.ns.p10)}–${formatNs(r.ns.p90)})`, formatSpread(r.relative)]),
  );
}

/** What every flat-cost script prints last: its figures as JSON, for `npm run bench` to collect. */
export function printResult(result: { name: string; markdown: string[]; [key: string]: unknown }): void {
  console.log('\n' + result.markdown.join('\n'));
  console.log('RESULT ' + JSON.stringify(result));
}
