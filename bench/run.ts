/**
 * `npm run bench`: every figure of the performance issue in one run, written to
 * `reports/bench.md` (the tables) and `reports/bench.json` (every window and sample).
 *
 * 1. Guard cost (`guard-cost.ts`): every variant of `variants.ts` on Fastify and Express, all up at
 *    once, interleaved windows, ratios per round against the no-op guard, bare jose, MemoryStore.
 * 2. Login flood (`login-flood.ts`): an authenticated GET alone vs during a flood of password logins.
 * 3. Flat costs (`flat/*.ts`, each its own process and npm script): API keys, routes, roles, JWKS
 *    keys, MemoryStore entries; and `cold-path.ts`: a cold token through jose alone, the strategy
 *    and the guard, in-process.
 * 4. Memory (`token-cache-memory.ts`, `memory-store.ts`, with --expose-gc): 1,000,000 distinct valid
 *    tokens (the Keycloak CVE-2025-2559 regression) and 1,000,000 failed logins.
 * 5. Revocation visibility (`revocation-visibility.ts`): how long a revocation takes to reach two
 *    other instances on one Redis (needs Redis).
 *
 * Environment: BENCH_QUICK=1 (every part small and short: a smoke check), BENCH_PARTS
 * (comma-separated: guard, login, flat, memory, revocation; default all), BENCH_VARIANTS (guard cost: only
 * these variants and their references), BENCH_ROUNDS, BENCH_WINDOW_SECONDS, BENCH_SLICES, BENCH_LOGIN_ROUNDS,
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379; without an answering Redis the Redis variant is
 * left out and the report says so), BENCH_SEED.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { makeKeys } from './credentials.js';
import { guardCost, type GuardCostResult } from './guard-cost.js';
import { loginFlood, type LoginFloodResult } from './login-flood.js';
import { hasTaskset, LOAD_CORES, resultOf, runScript, SERVER_CORES, stopAll } from './processes.js';
import { envNumber, formatSpread, QUICK } from './stats.js';

const PARTS = new Set((process.env.BENCH_PARTS ?? 'guard,login,flat,memory,revocation').split(',').map((p) => p.trim()));
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FLAT_SCRIPTS = ['api-keys', 'routes', 'roles', 'can', 'jwks', 'memory-store-size'];
const VERSIONS = [
  '@nestjs/core',
  '@nestjs/platform-fastify',
  'fastify',
  '@nestjs/platform-express',
  'express',
  'jose',
  'argon2',
  '@nestjs/passport',
  'passport-jwt',
  'autocannon',
  'ioredis',
];

function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

const version = (name: string) => (JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');

interface Flat {
  readonly name: string;
  readonly markdown: string[];
}

interface Visibility {
  readonly trials: number;
  readonly instances: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function targets(guard: GuardCostResult | undefined, login: LoginFloodResult | undefined, visibility: Visibility | undefined): string[] {
  const rows: string[] = ['| target | adapter | measured: median (p10–p90) | |', '|---|---|---:|---|'];
  for (const r of guard?.ratios ?? []) {
    if (r.atLeast === undefined) continue;
    rows.push(`| ${r.variant} ${r.mode} ≥ ${r.atLeast.toFixed(2)} × ${r.against} ${r.mode} | ${r.adapter} | ${formatSpread(r.ratio)} | ${r.verdict} |`);
  }
  for (const s of login?.summary ?? []) {
    rows.push(`| login flood: GET keeps ≥ 0.60 of its rate | ${s.adapter} | ${formatSpread(s.kept)} | ${s.kept.median >= 0.6 ? 'reached' : 'missed'} |`);
    rows.push(`| login flood: GET p99 ≤ 3 × | ${s.adapter} | ${formatSpread(s.p99)} | ${s.p99.median <= 3 ? 'reached' : 'missed'} |`);
  }
  if (visibility) {
    const figure = `p99 ${visibility.p99Ms.toFixed(1)} ms (median ${visibility.medianMs.toFixed(1)}, max ${visibility.maxMs.toFixed(1)}; ${visibility.trials} trials)`;
    rows.push(`| a revocation visible on ${visibility.instances} other instances, p99 ≤ 100 ms | both | ${figure} | ${visibility.p99Ms <= 100 ? 'reached' : 'missed'} |`);
  }
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'nest-warden-bench-'));
  const keys = makeKeys();
  const seed = envNumber('BENCH_SEED', 20, 20);
  console.log(`nest-warden bench${QUICK ? ' (quick: a smoke check, not figures)' : ''}; load average ${load(loadBefore)}`);

  let guard: GuardCostResult | undefined;
  let login: LoginFloodResult | undefined;
  let visibility: Visibility | undefined;
  const flat: Flat[] = [];
  const memory: Flat[] = [];
  const notes: string[] = [];
  const took: string[] = [];
  let partStarted = Date.now();
  const lap = (part: string) => {
    took.push(`${part} ${Math.round((Date.now() - partStarted) / 1000)} s`);
    partStarted = Date.now();
  };
  try {
    if (PARTS.has('guard')) {
      const redis = await redisAnswers(REDIS_URL);
      guard = await guardCost({
        work,
        keys,
        redis,
        redisUrl: REDIS_URL,
        rounds: envNumber('BENCH_ROUNDS', 10, 1),
        windowSeconds: envNumber('BENCH_WINDOW_SECONDS', 0.25, 0.3),
        slices: envNumber('BENCH_SLICES', 5, 1),
        warmupSeconds: QUICK ? 0 : 2,
        connections: 50,
        coldPool: QUICK ? 2_000 : 40_000,
        proofPool: Number(process.env.BENCH_PROOF_POOL ?? (QUICK ? 5_000 : 300_000)),
        seed,
        bootConcurrency: QUICK ? 4 : 2,
        only: process.env.BENCH_VARIANTS?.split(',').map((v) => v.trim()).filter(Boolean),
      });
      await stopAll(); // the guard-cost servers; the next parts need the cores
      notes.push(...guard.leftOut.map((v) => `left out: ${v}`));
      lap('guard cost');
    }
    if (PARTS.has('login')) {
      login = await loginFlood({ work, keys, rounds: envNumber('BENCH_LOGIN_ROUNDS', 6, 1), windowSeconds: QUICK ? 0.5 : 2, connections: 50, warmup: !QUICK });
      lap('login flood');
    }
    // The flat-cost scripts one at a time on the server core; the memory scripts (heap figures,
    // no timing) meanwhile on the load generator's core, idle by then.
    const flatScripts = PARTS.has('flat') ? [...FLAT_SCRIPTS.map((name) => `flat/${name}.js`), 'cold-path.js'] : [];
    // token-cache-memory.js: 1,000,000 distinct valid tokens (the CVE-2025-2559 regression);
    // memory-store.js: MemoryStore under a flood of failed logins.
    const memoryScripts = PARTS.has('memory') ? ['token-cache-memory.js', 'memory-store.js'] : [];
    const results = new Map<string, Flat>();
    const sequence = async (scripts: readonly string[], cores: string, flags: string[]) => {
      for (const script of scripts) {
        console.log(`\n${script}…`);
        results.set(script, resultOf<Flat>(await runScript(script, [], { flags, cores })));
      }
    };
    await Promise.all([sequence(flatScripts, SERVER_CORES, []), sequence(memoryScripts, LOAD_CORES, ['--expose-gc'])]);
    flat.push(...flatScripts.map((script) => results.get(script)!));
    memory.push(...memoryScripts.map((script) => results.get(script)!));
    const scripts = [...flatScripts, ...memoryScripts];
    if (scripts.length) lap('flat costs and memory');
    if (PARTS.has('revocation')) {
      if (await redisAnswers(REDIS_URL)) {
        console.log('\nrevocation-visibility.js…');
        visibility = resultOf<Visibility>(await runScript('revocation-visibility.js', [], { cores: LOAD_CORES }));
        lap('revocation visibility');
      } else notes.push(`left out: revocation visibility (Redis does not answer at ${REDIS_URL})`);
    }
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const seconds = Math.round((Date.now() - started) / 1000);

  const report = [
    `# nest-warden benchmark${QUICK ? ' (BENCH_QUICK: smoke check only, not figures)' : ''}`,
    '',
    `${new Date().toISOString()}, ${seconds} s (${took.join(', ')}). Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `Linux ${release()}, Node ${process.version}. Pinning: ${hasTaskset ? `servers and in-process measurements on core ${SERVER_CORES}, load generator on core ${LOAD_CORES}` : 'none (no taskset or one core)'}.`,
    '',
    `Load average (1/5/15 min) before: ${load(loadBefore)}, after: ${load(loadAfter)}.`,
    '',
    VERSIONS.map((name) => `${name} ${version(name)}`).join(', ') + '.',
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
    '## Targets',
    '',
    ...targets(guard, login, visibility),
    ...(guard ? ['', '## Guard cost (HTTP, interleaved windows)', '', ...guard.markdown] : []),
    ...(login ? ['', '## Login flood', '', ...login.markdown] : []),
    ...(flat.length ? ['', '## Flat costs (in-process)', '', ...flat.flatMap((f) => [...f.markdown, ''])] : []),
    ...(memory.length ? ['', '## Memory', '', ...memory.flatMap((m) => [...m.markdown, ''])] : []),
  ].join('\n');
  console.log('\n' + report);
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench.md', report + '\n');
  writeFileSync(
    'reports/bench.json',
    JSON.stringify({ quick: QUICK, loadBefore, loadAfter, seconds, guard: guard && { samples: guard.samples, ratios: guard.ratios }, login: login && login.rounds, flat, memory, visibility }, null, 2),
  );
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
