/**
 * `npm run bench`: the guard's cost against no auth and against @nestjs/passport, and password
 * logins under load, in one run.
 *
 * 1. Guard cost: servers run pinned to core 0 and the load generator (autocannon, its own
 *    process) to core 1; scenarios are interleaved and repeated; ratios are computed inside each
 *    repeat, then the median is reported, because absolute req/s drift between runs on a shared
 *    machine. The `warden-hs256-redis` variant (the token service's own HS256 tokens with
 *    RedisStore: its deny list is asked in Redis on every request) runs when Redis answers at
 *    BENCH_REDIS_URL (default redis://127.0.0.1:6379).
 * 2. Logins: argon2id at the defaults, on every core: argon2's own limit, logins/s through a real
 *    HTTP Basic route, and an authenticated GET with and without a login flood, for the default
 *    hash concurrency and for one hash per core.
 *
 * Environment: BENCH_REPEATS (3), BENCH_SECONDS (5), BENCH_LOGIN_SECONDS (5), BENCH_REDIS_URL.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultHashConcurrency } from '../lib/passwords/hash-work-limiter.js';
import { BENCH_PASSWORD, BENCH_USER } from './bench-config.js';
import { signTokens } from './sign-tokens.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LOGIN_SECONDS = Number(process.env.BENCH_LOGIN_SECONDS ?? 5);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = 50;
/** Login clients when measuring logins/s: enough to keep every hash slot busy. */
const LOGIN_CONNECTIONS = 16;
/** The flood: as many concurrent logins as the default queue (64) admits; none is refused. */
const FLOOD_CONNECTIONS = 64;
const COLD_POOL = 30_000;
const ADAPTERS = ['fastify', 'express'] as const;
const BASE_VARIANTS = ['no-auth', 'warden-hs256', 'warden-eddsa', 'passport-jwt'] as const;
const REDIS_VARIANT = 'warden-hs256-redis' as const;
type Variant = (typeof BASE_VARIANTS)[number] | typeof REDIS_VARIANT;
type Mode = 'warm' | 'cold';

interface Sample {
  adapter: string;
  variant: Variant;
  mode: Mode;
  repeat: number;
  rps: number;
  p99: number;
  non2xx: number;
}

interface LoadResult {
  rps: number;
  p99: number;
  non2xx: number;
  ok: number;
  unavailable: number;
  errors: number;
}

interface LoginSample {
  repeat: number;
  concurrency: number;
  argon2PerSecond: number;
  loginsPerSecond: number;
  loginP99: number;
  getAlone: LoadResult;
  getFlood: LoadResult;
  flood: LoadResult;
}

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return cpus().length > 1;
  } catch {
    return false;
  }
})();
const ALL_CORES = `0-${availableParallelism() - 1}`;

function pinned(cores: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', cores, process.execPath, ...args]] : [process.execPath, args];
}

async function startServer(adapter: string, variant: string, env: NodeJS.ProcessEnv, cores = '0'): Promise<{ child: ChildProcess; port: number }> {
  const [command, args] = pinned(cores, [join(here, 'bench-server.js'), adapter, variant]);
  const child = spawn(command, args, { env: { ...process.env, ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${adapter}/${variant} did not start in 20 s`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${adapter}/${variant} exited with ${code}`)));
  });
  return { child, port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** One node script in its own process; resolves with the JSON of its last output line. */
function runScript<T>(cores: string, script: string, args: string[]): Promise<T> {
  const [command, argv] = pinned(cores, [join(here, script), ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as T) : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

function load(port: number, path: string, seconds: number, connections: number, credentials: string): Promise<LoadResult> {
  return runScript('1', 'load.js', [`http://127.0.0.1:${port}${path}`, String(seconds), String(connections), credentials]);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

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

/** Section 1: every variant on both adapters, warm and cold. */
async function guardCost(variants: readonly Variant[], files: Record<'hs256' | 'eddsa', Record<Mode, string>>, publicPem: string): Promise<Sample[]> {
  const tokensFor = (variant: Variant, mode: Mode) =>
    variant === 'no-auth' ? '-' : variant === 'warden-eddsa' ? files.eddsa[mode] : files.hs256[mode];
  const samples: Sample[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const adapter of ADAPTERS) {
      for (const variant of variants) {
        const { child, port } = await startServer(adapter, variant, { BENCH_EDDSA_PUBLIC_PEM: publicPem, BENCH_REDIS_URL: REDIS_URL });
        try {
          await load(port, '/item', 1, CONNECTIONS, tokensFor(variant, 'warm')); // warm-up, discarded
          for (const mode of ['warm', 'cold'] as const) {
            const result = await load(port, '/item', SECONDS, CONNECTIONS, tokensFor(variant, mode));
            samples.push({ adapter, variant, mode, repeat, rps: result.rps, p99: result.p99, non2xx: result.non2xx });
            console.log(
              `#${repeat + 1} ${adapter.padEnd(7)} ${variant.padEnd(18)} ${mode}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms` +
                (result.non2xx ? `, ${result.non2xx} non-2xx (!)` : ''),
            );
          }
        } finally {
          await stopServer(child);
        }
      }
    }
  }
  return samples;
}

/** Section 2: argon2's own limit, logins/s, and a bearer GET with and without a login flood. */
async function logins(concurrencies: readonly number[], warmToken: string): Promise<LoginSample[]> {
  const samples: LoginSample[] = [];
  const basic = `basic:${BENCH_USER}:${BENCH_PASSWORD}`;
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const concurrency of concurrencies) {
      const argon2 = await runScript<{ verifiesPerSecond: number }>(ALL_CORES, 'argon2-limit.js', [String(concurrency), String(LOGIN_SECONDS)]);
      const { child, port } = await startServer('fastify', 'warden-login', { BENCH_HASH_CONCURRENCY: String(concurrency) }, ALL_CORES);
      try {
        await load(port, '/item', 1, CONNECTIONS, warmToken); // warm-up, discarded
        await load(port, '/login', 1, LOGIN_CONNECTIONS, basic);
        const loginRun = await load(port, '/login', LOGIN_SECONDS, LOGIN_CONNECTIONS, basic);
        const getAlone = await load(port, '/item', LOGIN_SECONDS, CONNECTIONS, warmToken);
        const [getFlood, flood] = await Promise.all([
          load(port, '/item', LOGIN_SECONDS, CONNECTIONS, warmToken),
          load(port, '/login', LOGIN_SECONDS, FLOOD_CONNECTIONS, basic),
        ]);
        const sample: LoginSample = {
          repeat,
          concurrency,
          argon2PerSecond: argon2.verifiesPerSecond,
          loginsPerSecond: loginRun.ok,
          loginP99: loginRun.p99,
          getAlone,
          getFlood,
          flood,
        };
        samples.push(sample);
        console.log(
          `#${repeat + 1} logins, ${concurrency} hash(es) at once: argon2 ${sample.argon2PerSecond.toFixed(1)}/s, ` +
            `via HTTP ${sample.loginsPerSecond.toFixed(1)}/s; GET ${Math.round(getAlone.rps)} req/s p99 ${getAlone.p99} ms alone, ` +
            `${Math.round(getFlood.rps)} req/s p99 ${getFlood.p99} ms during a flood (${flood.ok.toFixed(1)} logins/s, ${flood.unavailable} × 503)`,
        );
      } finally {
        await stopServer(child);
      }
    }
  }
  return samples;
}

function guardTable(samples: Sample[], variants: readonly Variant[]): string[] {
  const rows = ['| adapter | variant | mode | req/s (median) | p99 ms (median) | × no-auth | × passport-jwt |', '|---|---|---|---:|---:|---:|---:|'];
  for (const adapter of ADAPTERS) {
    for (const mode of ['warm', 'cold'] as const) {
      for (const variant of variants) {
        const mine = samples.filter((s) => s.adapter === adapter && s.variant === variant && s.mode === mode);
        rows.push(
          `| ${adapter} | ${variant} | ${mode} | ${Math.round(median(mine.map((s) => s.rps)))} | ${median(mine.map((s) => s.p99))} | ` +
            `${ratio(samples, adapter, variant, mode, 'no-auth').toFixed(2)} | ${ratio(samples, adapter, variant, mode, 'passport-jwt').toFixed(2)} |`,
        );
      }
    }
  }
  return rows;
}

/** Median over repeats of (variant req/s ÷ baseline req/s in the same repeat). */
function ratio(samples: Sample[], adapter: string, variant: Variant, mode: Mode, baseline: Variant): number {
  const mine = samples.filter((s) => s.adapter === adapter && s.variant === variant && s.mode === mode);
  const base = (repeat: number) => samples.find((s) => s.adapter === adapter && s.variant === baseline && s.mode === mode && s.repeat === repeat)!;
  return median(mine.map((s) => s.rps / base(s.repeat).rps));
}

function loginTable(samples: LoginSample[], concurrencies: readonly number[]): string[] {
  const rows = [
    '| hashes at once | argon2 alone /s | logins/s via HTTP | × argon2 | GET req/s alone | GET req/s in flood | × | GET p99 alone | GET p99 in flood | × | flood logins/s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const concurrency of concurrencies) {
    const mine = samples.filter((s) => s.concurrency === concurrency);
    const m = (pick: (s: LoginSample) => number) => median(mine.map(pick));
    rows.push(
      `| ${concurrency} | ${m((s) => s.argon2PerSecond).toFixed(1)} | ${m((s) => s.loginsPerSecond).toFixed(1)} | ` +
        `${m((s) => s.loginsPerSecond / s.argon2PerSecond).toFixed(2)} | ${Math.round(m((s) => s.getAlone.rps))} | ${Math.round(m((s) => s.getFlood.rps))} | ` +
        `${m((s) => s.getFlood.rps / s.getAlone.rps).toFixed(2)} | ${m((s) => s.getAlone.p99)} | ${m((s) => s.getFlood.p99)} | ` +
        `${m((s) => s.getFlood.p99 / s.getAlone.p99).toFixed(2)} | ${m((s) => s.flood.ok).toFixed(1)} |`,
    );
  }
  return rows;
}

function targetTable(samples: Sample[], loginSamples: LoginSample[], redis: boolean, defaultConcurrency: number): string[] {
  const rows = ['| target | wanted | measured (median) | |', '|---|---:|---:|---|'];
  const check = (name: string, wanted: string, value: number | undefined, ok: (v: number) => boolean, digits = 2) =>
    rows.push(`| ${name} | ${wanted} | ${value === undefined ? 'not run' : value.toFixed(digits)} | ${value === undefined ? '–' : ok(value) ? 'reached' : 'missed'} |`);
  check('Fastify warm HS256 × no-auth', '≥ 0.80', ratio(samples, 'fastify', 'warden-hs256', 'warm', 'no-auth'), (v) => v >= 0.8);
  check('Fastify warm EdDSA × no-auth', '≥ 0.75', ratio(samples, 'fastify', 'warden-eddsa', 'warm', 'no-auth'), (v) => v >= 0.75);
  check('Fastify warm HS256 × passport-jwt', '≥ 10', ratio(samples, 'fastify', 'warden-hs256', 'warm', 'passport-jwt'), (v) => v >= 10, 1);
  check('Fastify cold HS256 × no-auth', '≥ 0.29', ratio(samples, 'fastify', 'warden-hs256', 'cold', 'no-auth'), (v) => v >= 0.29);
  check('Express warm HS256 × no-auth', '≥ 0.95', ratio(samples, 'express', 'warden-hs256', 'warm', 'no-auth'), (v) => v >= 0.95);
  check('Express warm EdDSA × no-auth', '≥ 0.95', ratio(samples, 'express', 'warden-eddsa', 'warm', 'no-auth'), (v) => v >= 0.95);
  check(
    'Fastify warm HS256 + RedisStore deny list × no-auth',
    '≥ 0.60',
    redis ? ratio(samples, 'fastify', REDIS_VARIANT, 'warm', 'no-auth') : undefined,
    (v) => v >= 0.6,
  );
  const mine = loginSamples.filter((s) => s.concurrency === defaultConcurrency);
  const m = (pick: (s: LoginSample) => number) => (mine.length ? median(mine.map(pick)) : undefined);
  check(`Login flood: GET req/s × without flood (${defaultConcurrency} hash at once, the default)`, '≥ 0.5', m((s) => s.getFlood.rps / s.getAlone.rps), (v) => v >= 0.5);
  check('Login flood: GET p99 × without flood', '≤ 3', m((s) => s.getFlood.p99 / s.getAlone.p99), (v) => v <= 3);
  check('Logins/s × argon2 alone at the same concurrency', '≥ 0.90', m((s) => s.loginsPerSecond / s.argon2PerSecond), (v) => v >= 0.9);
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'nest-warden-bench-'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = join(work, 'eddsa-public.pem');
  writeFileSync(publicPem, publicKey.export({ type: 'spki', format: 'pem' }));
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  console.log(`signing ${COLD_POOL} HS256 and ${COLD_POOL} EdDSA tokens for cold runs...`);
  const files = {} as Record<'hs256' | 'eddsa', Record<Mode, string>>;
  for (const [name, alg] of [['hs256', 'HS256'], ['eddsa', 'EdDSA']] as const) {
    const tokens = await signTokens(alg, COLD_POOL, privatePem);
    files[name] = { warm: join(work, `${name}-warm.txt`), cold: join(work, `${name}-cold.txt`) };
    writeFileSync(files[name].warm, tokens[0]);
    writeFileSync(files[name].cold, tokens.join('\n'));
  }

  const redis = await redisAnswers(REDIS_URL);
  if (!redis) console.log(`Redis does not answer at ${REDIS_URL}: the ${REDIS_VARIANT} variant is left out`);
  const variants: Variant[] = [...BASE_VARIANTS, ...(redis ? [REDIS_VARIANT] : [])];
  const samples = await guardCost(variants, files, publicPem);

  const defaultConcurrency = defaultHashConcurrency();
  const concurrencies = [...new Set([defaultConcurrency, 1])];
  const loginSamples = await logins(concurrencies, files.hs256.warm);
  const loadAfter = loadavg();

  const versions = ['@nestjs/core', '@nestjs/platform-fastify', 'fastify', '@nestjs/platform-express', 'express', 'jose', 'argon2', '@nestjs/passport', 'passport-jwt', 'autocannon', 'ioredis']
    .map((name) => `${name} ${(JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`)
    .join(', ');
  const summary = [
    `nest-warden benchmark — ${new Date().toISOString()}`,
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, taskset pinning: ${hasTaskset ? 'servers core 0, load core 1 (logins: server on every core)' : 'off'}`,
    versions,
    `load average (1/5/15 min) before: ${loadBefore.map((v) => v.toFixed(2)).join(' / ')}, after: ${loadAfter.map((v) => v.toFixed(2)).join(' / ')}`,
    `${REPEATS} repeats × ${SECONDS} s, ${CONNECTIONS} connections, cold pool ${COLD_POOL} tokens; ratios computed per repeat, then median`,
    '',
    '## Guard cost',
    '',
    ...guardTable(samples, variants),
    '',
    `## Logins (argon2id at the defaults, Fastify; ${LOGIN_SECONDS} s runs; logins with ${LOGIN_CONNECTIONS} clients, flood with ${FLOOD_CONNECTIONS})`,
    '',
    ...loginTable(loginSamples, concurrencies),
    '',
    '## Targets',
    '',
    ...targetTable(samples, loginSamples, redis, defaultConcurrency),
  ].join('\n');
  console.log(`\n${summary}\n\ntook ${Math.round((Date.now() - started) / 1000)} s`);
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench.md', summary + '\n');
  writeFileSync('reports/bench.json', JSON.stringify({ samples, loginSamples }, null, 2));
}

void main();
