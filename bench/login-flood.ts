/**
 * Part 2 of `npm run bench`: an authenticated `GET /item` (warm HS256 bearer, 50 connections)
 * alone, and while 64 clients flood the password endpoints: 32 on `GET /login` (HTTP Basic) and
 * 32 on `POST /auth/token` (password grant), argon2id at the defaults, the default hash
 * concurrency. The server may use every core (argon2 runs on libuv's pool); the load generator is
 * pinned to the last core as always. "Alone" and "flood" windows alternate (ABBA over rounds), on
 * both adapters in turn; ratios are per round pair, then median and spread.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultHashConcurrency } from '../lib/passwords/hash-work-limiter.js';
import { BENCH_CLIENT, BENCH_PASSWORD, BENCH_USER } from './bench-config.js';
import { type BenchKeys, credentialNamed } from './credentials.js';
import { ALL_CORES, LoadGenerator, type Server, startServer, stop } from './processes.js';
import { formatSpread, sleep, spread, type Spread, table } from './stats.js';
import { verdict } from './guard-cost.js';
import type { LoadResult } from './load.js';

export interface LoginFloodOptions {
  readonly work: string;
  readonly keys: BenchKeys;
  readonly rounds: number;
  readonly windowSeconds: number;
  readonly connections: number;
  /** One GET and one flood per server first, discarded. */
  readonly warmup: boolean;
}

export interface FloodRound {
  readonly adapter: string;
  readonly round: number;
  readonly alone: LoadResult;
  readonly flooded: LoadResult;
  readonly basic: LoadResult;
  readonly token: LoadResult;
}

export interface LoginFloodResult {
  readonly hashConcurrency: number;
  readonly rounds: readonly FloodRound[];
  readonly summary: readonly { adapter: string; kept: Spread; p99: Spread; logins: Spread; refused: number }[];
  readonly markdown: string[];
}

const FLOOD_BASIC = 32;
const FLOOD_TOKEN = 32;
/** The flood runs this long before the GET window starts, so the hash queue is full when it does. */
const RAMP_SECONDS = 0.75;

export async function loginFlood(options: LoginFloodOptions): Promise<LoginFloodResult> {
  const hashConcurrency = defaultHashConcurrency();
  const warm = join(options.work, 'login-get-warm.json');
  writeFileSync(warm, JSON.stringify(await credentialNamed('hs256').valid(options.keys, 'warm', 1, 0)));
  const basic = `Basic ${Buffer.from(`${BENCH_USER}:${BENCH_PASSWORD}`).toString('base64')}`;
  const grant = new URLSearchParams({ grant_type: 'password', username: BENCH_USER, password: BENCH_PASSWORD, client_id: BENCH_CLIENT }).toString();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  console.log(`login flood: starting the login app on both adapters (default hash concurrency ${hashConcurrency})…`);
  const servers: Server[] = [];
  for (const adapter of ['fastify', 'express']) servers.push(await startServer(`${adapter}/login`, [adapter, 'login'], {}, ALL_CORES));
  for (const server of servers) {
    const base = `http://127.0.0.1:${server.port}`;
    const token = await fetch(`${base}/auth/token`, { method: 'POST', headers: form, body: grant });
    const login = await fetch(`${base}/login`, { headers: { authorization: basic } });
    if (token.status !== 200 || login.status !== 200) throw new Error(`${server.name}: password endpoints answered ${token.status} / ${login.status}`);
  }

  const load = new LoadGenerator();
  const get = (server: Server, seconds: number) =>
    load.run({ url: `http://127.0.0.1:${server.port}/item`, seconds, connections: options.connections, set: warm });
  const flood = (server: Server, seconds: number) =>
    Promise.all([
      load.run({ url: `http://127.0.0.1:${server.port}/login`, seconds, connections: FLOOD_BASIC, headers: { authorization: basic } }),
      load.run({ url: `http://127.0.0.1:${server.port}/auth/token`, seconds, connections: FLOOD_TOKEN, method: 'POST', headers: form, body: grant }),
    ]);
  // The server keeps hashing the logins it queued after the flood's clients are gone: one more
  // login waits behind all of them (the queue is first in, first out), so its answer says drained.
  const drained = async (server: Server) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await fetch(`http://127.0.0.1:${server.port}/login`, { headers: { authorization: basic } });
      await response.arrayBuffer();
      if (response.status === 200) return;
      await sleep(100); // 503: the queue was still full
    }
    throw new Error(`${server.name}: the login queue did not drain`);
  };
  const flooded = async (server: Server) => {
    const floodDone = flood(server, options.windowSeconds + RAMP_SECONDS + 0.25);
    await sleep(RAMP_SECONDS * 1000);
    const result = await get(server, options.windowSeconds);
    const [b, t] = await floodDone;
    await drained(server);
    return { result, basic: b, token: t };
  };

  if (options.warmup) {
    for (const server of servers) {
      await get(server, 1);
      await flood(server, 1);
      await drained(server);
    }
  }

  const rounds: FloodRound[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const server of round % 2 ? [...servers].reverse() : servers) {
      let alone: LoadResult;
      let during: Awaited<ReturnType<typeof flooded>>;
      if (round % 2 === 0) {
        alone = await get(server, options.windowSeconds);
        during = await flooded(server);
      } else {
        during = await flooded(server);
        alone = await get(server, options.windowSeconds);
      }
      const adapter = server.name.split('/')[0];
      rounds.push({ adapter, round, alone, flooded: during.result, basic: during.basic, token: during.token });
      console.log(
        `login flood: ${adapter} round ${round + 1}/${options.rounds}: GET ${Math.round(alone.ok)} req/s p99 ${alone.p99} ms alone, ` +
          `${Math.round(during.result.ok)} req/s p99 ${during.result.p99} ms in the flood ` +
          `(${(during.basic.ok + during.token.ok).toFixed(0)} logins/s, ${during.basic.unavailable + during.token.unavailable} × 503)`,
      );
    }
  }
  await load.close();
  for (const server of servers) await stop(server.child);

  const summary = ['fastify', 'express'].map((adapter) => {
    const mine = rounds.filter((r) => r.adapter === adapter);
    return {
      adapter,
      kept: spread(mine.map((r) => r.flooded.ok / r.alone.ok)),
      p99: spread(mine.map((r) => r.flooded.p99 / Math.max(1, r.alone.p99))),
      logins: spread(mine.map((r) => r.basic.ok + r.token.ok)),
      refused: mine.reduce((n, r) => n + r.basic.unavailable + r.token.unavailable, 0),
      aloneRps: spread(mine.map((r) => r.alone.ok)),
      floodRps: spread(mine.map((r) => r.flooded.ok)),
      aloneP99: spread(mine.map((r) => r.alone.p99)),
      floodP99: spread(mine.map((r) => r.flooded.p99)),
    };
  });
  const rows = summary.map((s) => {
    const p99Verdict = s.p99.median <= 3 ? 'reached' : 'missed';
    return [
      s.adapter,
      formatSpread(s.aloneRps, 0),
      formatSpread(s.floodRps, 0),
      `${formatSpread(s.kept)} ${verdict(s.kept, 0.6)}`,
      `${formatSpread(s.aloneP99, 0)} → ${formatSpread(s.floodP99, 0)}`,
      `${formatSpread(s.p99)} ${p99Verdict}`,
      formatSpread(s.logins, 1),
      String(s.refused),
    ];
  });
  const markdown = [
    `${options.rounds} rounds per adapter, GET windows of ${options.windowSeconds} s (${options.connections} connections), ` +
      `flood ${FLOOD_BASIC} Basic + ${FLOOD_TOKEN} password-grant clients, hash concurrency ${hashConcurrency} (the default on ${availableParallelism()} cores), ` +
      `server on every core, load generator on the last. p99 ratio uses p99 ms with a floor of 1 ms.`,
    '',
    ...table(
      ['adapter', 'GET req/s alone', 'GET req/s in flood', 'kept (≥ 0.60)', 'GET p99 ms alone → flood', 'p99 × (≤ 3)', 'logins/s in flood', '503s'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows,
    ),
  ];
  return { hashConcurrency, rounds, summary, markdown };
}
