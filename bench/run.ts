/**
 * `npm run bench`: the guard's cost against no auth and against @nestjs/passport, in one run.
 * Servers run pinned to core 0 and the load generator (autocannon, its own process) to core 1;
 * scenarios are interleaved and repeated; ratios are computed inside each repeat, then the median
 * is reported, because absolute req/s drift between runs on a shared machine.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signTokens } from './sign-tokens.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const COLD_POOL = 30_000;
const ADAPTERS = ['fastify', 'express'] as const;
const VARIANTS = ['no-auth', 'warden-hs256', 'warden-eddsa', 'passport-jwt'] as const;
type Variant = (typeof VARIANTS)[number];
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

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return cpus().length > 1;
  } catch {
    return false;
  }
})();

function pinned(core: number, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', String(core), process.execPath, ...args]] : [process.execPath, args];
}

async function startServer(adapter: string, variant: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const [command, args] = pinned(0, [join(here, 'bench-server.js'), adapter, variant]);
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

function load(port: number, seconds: number, tokensFile: string): Promise<{ rps: number; p99: number; non2xx: number }> {
  const [command, args] = pinned(1, [join(here, 'load.js'), `http://127.0.0.1:${port}/item`, String(seconds), String(CONNECTIONS), tokensFile]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load exited ${code}`))));
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'nest-warden-bench-'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = join(work, 'eddsa-public.pem');
  writeFileSync(publicPem, publicKey.export({ type: 'spki', format: 'pem' }));
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  console.log(`signing ${COLD_POOL} HS256 and ${COLD_POOL} EdDSA tokens for cold runs...`);
  const files: Record<string, Record<Mode, string>> = {};
  for (const [name, alg] of [['hs256', 'HS256'], ['eddsa', 'EdDSA']] as const) {
    const tokens = await signTokens(alg, COLD_POOL, privatePem);
    files[name] = { warm: join(work, `${name}-warm.txt`), cold: join(work, `${name}-cold.txt`) };
    writeFileSync(files[name].warm, tokens[0]);
    writeFileSync(files[name].cold, tokens.join('\n'));
  }
  const tokensFor = (variant: Variant, mode: Mode) =>
    variant === 'no-auth' ? '-' : variant === 'warden-eddsa' ? files.eddsa[mode] : files.hs256[mode];

  const samples: Sample[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const adapter of ADAPTERS) {
      for (const variant of VARIANTS) {
        const { child, port } = await startServer(adapter, variant, { BENCH_EDDSA_PUBLIC_PEM: publicPem });
        try {
          await load(port, 1, tokensFor(variant, 'warm')); // warm-up, discarded
          for (const mode of ['warm', 'cold'] as const) {
            const result = await load(port, SECONDS, tokensFor(variant, mode));
            samples.push({ adapter, variant, mode, repeat, ...result });
            console.log(
              `#${repeat + 1} ${adapter.padEnd(7)} ${variant.padEnd(13)} ${mode}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms` +
                (result.non2xx ? `, ${result.non2xx} non-2xx (!)` : ''),
            );
          }
        } finally {
          child.kill('SIGTERM');
          await new Promise((resolve) => child.once('exit', resolve));
        }
      }
    }
  }

  const rows: string[] = [];
  rows.push('| adapter | variant | mode | req/s (median) | p99 ms (median) | × no-auth | × passport-jwt |');
  rows.push('|---|---|---|---:|---:|---:|---:|');
  const find = (adapter: string, variant: Variant, mode: Mode, repeat: number) =>
    samples.find((s) => s.adapter === adapter && s.variant === variant && s.mode === mode && s.repeat === repeat)!;
  for (const adapter of ADAPTERS) {
    for (const mode of ['warm', 'cold'] as const) {
      for (const variant of VARIANTS) {
        const mine = samples.filter((s) => s.adapter === adapter && s.variant === variant && s.mode === mode);
        const vsNoAuth = mine.map((s) => s.rps / find(adapter, 'no-auth', mode, s.repeat).rps);
        const vsPassport = mine.map((s) => s.rps / find(adapter, 'passport-jwt', mode, s.repeat).rps);
        rows.push(
          `| ${adapter} | ${variant} | ${mode} | ${Math.round(median(mine.map((s) => s.rps)))} | ${median(mine.map((s) => s.p99))} | ` +
            `${median(vsNoAuth).toFixed(2)} | ${median(vsPassport).toFixed(2)} |`,
        );
      }
    }
  }
  const summary = [
    `nest-warden benchmark — ${new Date().toISOString()}`,
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, taskset pinning: ${hasTaskset ? 'server core 0, load core 1' : 'off'}`,
    `${REPEATS} repeats × ${SECONDS} s, ${CONNECTIONS} connections, cold pool ${COLD_POOL} tokens; ratios computed per repeat, then median`,
    '',
    ...rows,
  ].join('\n');
  console.log(`\n${summary}\n\ntook ${Math.round((Date.now() - started) / 1000)} s`);
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench.md', summary + '\n');
  writeFileSync('reports/bench.json', JSON.stringify(samples, null, 2));
}

void main();
