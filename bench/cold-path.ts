/**
 * Where a cold token's time goes (issue #20: "every microsecond nest-warden adds on top of jose
 * profiled and accounted for"). In-process, HS256, a new token on every call (a pool larger than
 * the verified-token cache, so every call misses it), 32 in flight, interleaved batches:
 *
 * - `jose.jwtVerify`: the floor, key imported once, the same options;
 * - `JwtStrategy.verify`: nest-warden's strategy (jose, the key source, claim checks, principal, cache);
 * - `AuthGuard` (fastify, express): the whole guard on a route with `@Auth()`, as a request runs it.
 *
 * `npm run bench:cold` (BENCH_CPU_PROF=<dir> with `node --cpu-prof` for a profile of the strategy).
 */
import { webcrypto } from 'node:crypto';
import { jwtVerify } from 'jose';
import { AuthModule, JwtStrategy } from '../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_SECRET } from './bench-config.js';
import { signTokens } from './sign-tokens.js';
import { QUICK } from './stats.js';
import { itemController } from './variants.js';
import { bootApp, type Case, formatNs, guardCall, guardOf, measureInterleaved, printResult } from './flat/in-process.js';
import { formatSpread, table } from './stats.js';

const POOL = QUICK ? 20_000 : 60_000;

async function main(): Promise<void> {
  // A pool of its own per case: the strategy and the guards share a verified-token cache per app.
  let from = 0;
  const pool = async () => {
    const tokens = await signTokens('HS256', POOL, { from });
    from += POOL;
    return tokens;
  };
  const key = await webcrypto.subtle.importKey('raw', Buffer.from(BENCH_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const options = { algorithms: ['HS256'], issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, typ: 'at+jwt', requiredClaims: ['exp', 'sub'] };
  const jwt = { algorithms: ['HS256' as const], secret: BENCH_SECRET, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE };
  const cycle = async () => {
    const tokens = await pool();
    let next = 0;
    return () => tokens[next++ % tokens.length];
  };
  const cases: Case[] = [];
  const joseToken = await cycle();
  cases.push({ label: 'jose.jwtVerify (key imported once)', call: () => jwtVerify(joseToken(), key, options) });
  const apps = [];
  for (const adapter of ['fastify', 'express'] as const) {
    const controller = itemController();
    const { app } = await bootApp({ imports: [AuthModule.forRoot({ jwt })], controllers: [controller] }, adapter);
    apps.push(app);
    if (adapter === 'fastify') {
      const strategy = app.get(JwtStrategy);
      const strategyToken = await cycle();
      cases.push({ label: 'JwtStrategy.verify', call: () => strategy.verify(strategyToken()) });
    }
    const guard = guardOf(app);
    const guardToken = await cycle();
    cases.push({
      label: `AuthGuard, ${adapter} context`,
      call: () => guardCall(guard, controller, controller.prototype.item, { authorization: `Bearer ${guardToken()}` })(),
    });
  }
  const results = await measureInterleaved(cases, { concurrency: 32 });
  const floor = results[0].ns.median;
  const markdown = [
    `Cold HS256 token per call, in-process, 32 in flight, a pool of ${POOL.toLocaleString('en')} tokens (the cache holds 10,000: every call misses).`,
    '',
    ...table(
      ['path', 'per call (median, p10–p90)', '× jose (per round)', 'added to jose'],
      ['l', 'r', 'r', 'r'],
      results.map((r) => [
        r.label,
        `${formatNs(r.ns.median)} (${formatNs(r.ns.p10)}–${formatNs(r.ns.p90)})`,
        formatSpread(r.relative),
        r === results[0] ? '' : formatNs(r.ns.median - floor),
      ]),
    ),
  ];
  printResult({ name: 'cold-path', markdown, results });
  await Promise.all(apps.map((app) => app.close()));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
