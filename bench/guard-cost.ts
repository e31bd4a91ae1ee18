/**
 * Part 1 of `npm run bench`: every variant of `VARIANTS` on every adapter, all servers up at once
 * (each its own process, pinned to core 0), measured in short interleaved windows by one load
 * generator on core 1. A round measures every cell (adapter × variant × mode) once: the cells of
 * one adapter and mode back to back in a shuffled order, so a ratio compares windows a few seconds
 * apart. Ratios are computed per round against the reference of the same round, then their median
 * and spread (p10–p90) are reported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MIRROR_TRUST_MARGIN_MS } from '../lib/tokens/issuance/revocation-mirror.js';
import { type BenchKeys, credentialNamed, type Headers } from './credentials.js';
import { ALL_CORES, LoadGenerator, pin, type Server, SERVER_CORES, startServer } from './processes.js';
import { formatSpread, median, prng, shuffle, spread, type Spread, table } from './stats.js';
import { type AdapterName, type BenchVariant, type TokenMode, VARIANTS } from './variants.js';

export interface GuardCostOptions {
  readonly work: string;
  readonly keys: BenchKeys;
  readonly redis: boolean;
  readonly redisUrl: string;
  readonly rounds: number;
  /** Length of one window (a slice). */
  readonly windowSeconds: number;
  /** Windows per cell per round, interleaved with the other cells of its group. */
  readonly slices: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly coldPool: number;
  /** Requests per set for one-time credentials (DPoP proofs): more than a cell makes in the run. */
  readonly proofPool: number;
  readonly seed: number;
  /** Servers booted at once. */
  readonly bootConcurrency: number;
  /** Only these variants (their references are added), e.g. from BENCH_VARIANTS. */
  readonly only?: readonly string[];
}

export interface WindowSample {
  readonly round: number;
  readonly adapter: AdapterName;
  readonly variant: string;
  readonly mode: TokenMode;
  readonly rps: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly clientCpu: number;
}

export interface RatioRow {
  readonly adapter: AdapterName;
  readonly variant: string;
  readonly mode: TokenMode;
  readonly against: string;
  readonly ratio: Spread;
  readonly atLeast?: number;
  readonly verdict: string;
}

export interface GuardCostResult {
  readonly variants: readonly string[];
  readonly leftOut: readonly string[];
  readonly samples: readonly WindowSample[];
  readonly ratios: readonly RatioRow[];
  readonly markdown: string[];
}

interface Cell {
  readonly adapter: AdapterName;
  readonly variant: BenchVariant;
  readonly mode: TokenMode;
  readonly server: Server;
  readonly set: string;
}

/** The variants to run: `only` plus whatever they compare against; Redis ones only with Redis. */
function selectVariants(options: GuardCostOptions): { variants: BenchVariant[]; leftOut: string[] } {
  const wanted = new Set(options.only?.length ? options.only : VARIANTS.map((v) => v.name));
  let grew = true;
  while (grew) {
    grew = false;
    for (const v of VARIANTS) {
      if (!wanted.has(v.name)) continue;
      for (const c of v.compare ?? []) {
        if (wanted.has(c.against)) continue;
        wanted.add(c.against);
        grew = true;
      }
    }
  }
  const leftOut: string[] = [];
  const variants = VARIANTS.filter((v) => {
    if (!wanted.has(v.name)) return false;
    if (v.needsRedis && !options.redis) {
      leftOut.push(`${v.name} (Redis does not answer at ${options.redisUrl})`);
      return false;
    }
    return true;
  });
  return { variants, leftOut };
}

/** Writes the request sets (JSON arrays of headers) every cell needs; one file per credential and mode. */
async function writeRequestSets(variants: readonly BenchVariant[], options: GuardCostOptions): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let from = 0;
  for (const variant of variants) {
    for (const mode of variant.modes) {
      const key = `${variant.credential}-${mode}`;
      if (files.has(key)) continue;
      const kind = credentialNamed(variant.credential);
      // One-time credentials (DPoP proofs) need a request set of their own for every request, warm too.
      const count = kind.oneTime ? options.proofPool : mode === 'warm' ? 1 : options.coldPool;
      const headers: Headers[] = await kind.valid(options.keys, mode, count, from);
      from += count;
      const file = join(options.work, `${key}.json`);
      writeFileSync(file, JSON.stringify(headers));
      files.set(key, file);
    }
  }
  return files;
}

async function assertAnswers(server: Server, headers: Headers): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${server.port}/item`, { headers: { ...headers } });
  if (response.status !== 200) throw new Error(`${server.name} answered ${response.status} to a valid request: the harness is broken`);
}

export async function guardCost(options: GuardCostOptions): Promise<GuardCostResult> {
  const { variants, leftOut } = selectVariants(options);
  for (const note of leftOut) console.log(`left out: ${note}`);
  mkdirSync(options.work, { recursive: true });
  console.log(`guard cost: starting ${variants.reduce((n, v) => n + v.adapters.length, 0)} servers…`);
  const servers = new Map<string, Server>();
  const toStart = variants.flatMap((variant) => variant.adapters.map((adapter) => ({ variant, adapter })));
  // A few at a time: each boot is a second of CPU, and the machine may have two cores.
  for (let i = 0; i < toStart.length; i += options.bootConcurrency) {
    const batch = toStart.slice(i, i + options.bootConcurrency);
    const started = await Promise.all(
      batch.map(({ variant, adapter }) =>
        startServer(
          `${adapter}/${variant.name}`,
          [adapter, variant.name],
          { BENCH_EDDSA_PUBLIC_PEM: options.keys.eddsaPublicPem, BENCH_REDIS_URL: options.redisUrl },
          // Booting on every core; each server is pinned to its core before it is measured.
          ALL_CORES,
        ).then(async (server) => (await pin(server, SERVER_CORES), server)),
      ),
    );
    for (const server of started) servers.set(server.name, server);
  }
  const booted = Date.now();

  // Tokens are signed after the servers are up, and past RedisStore's revocation-mirror trust margin:
  // a token is answered from the mirror only when issued after the mirror went live (plus the margin),
  // as every token is in production after the first minutes of an instance's life.
  const mirrorCovers = booted + MIRROR_TRUST_MARGIN_MS + 1000 - Date.now();
  if (variants.some((v) => v.needsRedis) && mirrorCovers > 0) await delay(mirrorCovers);
  console.log(`guard cost: signing request sets (cold pool ${options.coldPool} tokens per credential)…`);
  const sets = await writeRequestSets(variants, options);

  const cells: Cell[] = [];
  for (const adapter of ['fastify', 'express'] as const) {
    for (const variant of variants) {
      if (!variant.adapters.includes(adapter)) continue;
      const server = servers.get(`${adapter}/${variant.name}`)!;
      for (const mode of variant.modes) cells.push({ adapter, variant, mode, server, set: sets.get(`${variant.credential}-${mode}`)! });
    }
  }
  for (const variant of variants) {
    const warm = await credentialNamed(variant.credential).valid(options.keys, 'warm', 1, 0);
    for (const adapter of variant.adapters) await assertAnswers(servers.get(`${adapter}/${variant.name}`)!, warm[0]);
  }

  const load = new LoadGenerator();
  const window = (cell: Cell, seconds: number) =>
    load.run({ url: `http://127.0.0.1:${cell.server.port}/item`, seconds, connections: options.connections, set: cell.set });
  const groups = new Map<string, Cell[]>();
  for (const cell of cells) {
    const key = `${cell.adapter}/${cell.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }

  if (options.warmupSeconds > 0) {
    console.log(`guard cost: warm-up (${options.warmupSeconds} s per cell, discarded)…`);
    for (const cell of cells) await window(cell, options.warmupSeconds);
  }

  const samples: WindowSample[] = [];
  const random = prng(options.seed);
  const started = Date.now();
  for (let round = 0; round < options.rounds; round++) {
    for (const group of shuffle([...groups.values()], random)) {
      // Each cell of the group gets `slices` short windows, in a new order each pass, so that every
      // cell's figure for this round averages the same stretch of time.
      const sums = new Map<Cell, { total: number; seconds: number; p99: number[]; cpu: number[]; non2xx: number; errors: number }>(
        group.map((cell) => [cell, { total: 0, seconds: 0, p99: [], cpu: [], non2xx: 0, errors: 0 }]),
      );
      for (let slice = 0; slice < options.slices; slice++) {
        for (const cell of shuffle(group, random)) {
          const r = await window(cell, options.windowSeconds);
          const sum = sums.get(cell)!;
          sum.total += r.total;
          sum.seconds += r.seconds;
          sum.p99.push(r.p99);
          sum.cpu.push(r.clientCpu);
          sum.non2xx += r.non2xx;
          sum.errors += r.errors;
        }
      }
      for (const [cell, sum] of sums) {
        samples.push({
          round,
          adapter: cell.adapter,
          variant: cell.variant.name,
          mode: cell.mode,
          rps: sum.total / sum.seconds,
          p99: median(sum.p99),
          non2xx: sum.non2xx,
          errors: sum.errors,
          clientCpu: median(sum.cpu),
        });
        if (sum.non2xx || sum.errors) console.log(`  (!) ${cell.adapter}/${cell.variant.name} ${cell.mode}: ${sum.non2xx} non-2xx, ${sum.errors} errors`);
      }
    }
    const elapsed = (Date.now() - started) / 1000;
    console.log(`guard cost: round ${round + 1}/${options.rounds} done (${elapsed.toFixed(0)} s); ${roundSummary(samples, round)}`);
  }
  await load.close();

  const ratios = ratioRows(variants, samples);
  return { variants: variants.map((v) => v.name), leftOut, samples, ratios, markdown: markdown(variants, samples, ratios, options) };
}

function roundSummary(samples: readonly WindowSample[], round: number): string {
  const get = (adapter: string, variant: string, mode: TokenMode) =>
    samples.find((s) => s.round === round && s.adapter === adapter && s.variant === variant && s.mode === mode)?.rps;
  const parts: string[] = [];
  for (const adapter of ['fastify', 'express']) {
    const warm = get(adapter, 'warden-hs256', 'warm');
    const noop = get(adapter, 'noop-guard', 'warm');
    if (warm && noop) parts.push(`${adapter} warm HS256 × noop ${(warm / noop).toFixed(2)}`);
  }
  return parts.join(', ');
}

export function ratioRows(variants: readonly BenchVariant[], samples: readonly WindowSample[]): RatioRow[] {
  const rows: RatioRow[] = [];
  const names = new Set(variants.map((v) => v.name));
  for (const adapter of ['fastify', 'express'] as const) {
    for (const variant of variants) {
      if (!variant.adapters.includes(adapter)) continue;
      for (const comparison of variant.compare ?? []) {
        if (!names.has(comparison.against)) continue;
        const values: number[] = [];
        for (const s of samples) {
          if (s.adapter !== adapter || s.variant !== variant.name || s.mode !== comparison.mode) continue;
          const base = samples.find((b) => b.adapter === adapter && b.variant === comparison.against && b.mode === comparison.mode && b.round === s.round);
          if (base && base.rps > 0) values.push(s.rps / base.rps);
        }
        if (!values.length) continue;
        const ratio = spread(values);
        rows.push({ adapter, variant: variant.name, mode: comparison.mode, against: comparison.against, ratio, atLeast: comparison.atLeast, verdict: verdict(ratio, comparison.atLeast) });
      }
    }
  }
  return rows;
}

/** Reached or missed by the median; "within the spread" when p10–p90 straddles the target. */
export function verdict(ratio: Spread, atLeast: number | undefined): string {
  if (atLeast === undefined) return '';
  const by = ratio.median >= atLeast ? 'reached' : 'missed';
  return ratio.p10 < atLeast && ratio.p90 >= atLeast ? `${by} (target within the spread)` : by;
}

function markdown(variants: readonly BenchVariant[], samples: readonly WindowSample[], ratios: readonly RatioRow[], options: GuardCostOptions): string[] {
  const rateRows: string[][] = [];
  for (const adapter of ['fastify', 'express'] as const) {
    for (const mode of ['warm', 'cold'] as const) {
      for (const variant of variants) {
        const mine = samples.filter((s) => s.adapter === adapter && s.variant === variant.name && s.mode === mode);
        if (!mine.length) continue;
        const rps = spread(mine.map((s) => s.rps));
        const p99 = spread(mine.map((s) => s.p99));
        const bad = mine.reduce((n, s) => n + s.non2xx + s.errors, 0);
        const client = spread(mine.map((s) => s.clientCpu));
        rateRows.push([adapter, variant.name, mode, formatSpread(rps, 0), formatSpread(p99, 0), `${(100 * client.median).toFixed(0)} %`, bad ? `${bad} (!)` : '0']);
      }
    }
  }
  const ratioTable = ratios.map((r) => [
    r.adapter,
    `${r.variant} ${r.mode}`,
    `× ${r.against} ${r.mode}`,
    formatSpread(r.ratio),
    r.atLeast === undefined ? '' : `≥ ${r.atLeast.toFixed(2)}`,
    r.verdict,
  ]);
  return [
    `${options.rounds} rounds; in each, the cells of one adapter and mode (${variants.reduce((n, v) => n + v.adapters.length * v.modes.length, 0)} cells in all) ` +
      `take turns in windows of ${options.windowSeconds} s, ${options.slices} per cell, in a new shuffled order each pass (seed ${options.seed}); ` +
      `${options.connections} connections; cold pool ${options.coldPool} tokens per credential (the cache holds 10 000).`,
    '',
    '**Ratios** (per round against the same round\'s reference; median, p10–p90 in brackets):',
    '',
    ...table(['adapter', 'variant', 'against', 'ratio', 'target', ''], ['l', 'l', 'l', 'r', 'r', 'l'], ratioTable),
    '',
    '**Rates** (per window; median, p10–p90 in brackets):',
    '',
    ...table(['adapter', 'variant', 'mode', 'req/s', 'p99 ms', 'load generator CPU', 'non-2xx'], ['l', 'l', 'l', 'r', 'r', 'r', 'r'], rateRows),
    '',
    'Load generator CPU: its CPU time ÷ the window (median); near 100 % the client, not the server, set the pace.',
  ];
}
