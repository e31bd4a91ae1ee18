/**
 * Keycloak CVE-2025-2559 regression (an unbounded JWT cache exhausted memory): 1,000,000 distinct
 * VALID tokens through the `jwt` strategy leave the heap bounded, because the verified-token cache
 * holds at most `jwt.cacheSize` entries (default 10,000) and `cacheSize × 2 KiB` of token text.
 *
 *   npm run bench:token-cache      (node --expose-gc; BENCH_TOKENS=N for another count; BENCH_QUICK=1: 10,000)
 *
 * Tokens are signed in batches as they go (never all held at once) and passed to the strategy's
 * `authenticate`, the guard's path. The heap is read after a forced GC before and after, and
 * sampled (without forcing GC) every 10,000 tokens for the peak. Exits 1 if the cache ever holds
 * more than `cacheSize` entries or the heap grows by more than the bound.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { webcrypto } from 'node:crypto';
import { AuthModule, JwtStrategy } from '../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_SECRET } from './bench-config.js';
import { signTokens } from './sign-tokens.js';
import { envNumber } from './stats.js';

const CACHE_SIZE = 10_000;
/** Growth that would mean "unbounded": 1,000,000 cached principals take well over 500 MB. */
const BOUND_MB = 128;
const BATCH = 1_000;

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (collect: boolean): number => {
  if (collect) {
    gc?.();
    gc?.();
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
};

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, cacheSize: CACHE_SIZE },
    }),
  ],
})
class TokenCacheModule {}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:token-cache does)');
  const total = envNumber('BENCH_TOKENS', 1_000_000, 10_000);
  const app = await NestFactory.createApplicationContext(TokenCacheModule, { logger: ['error'] });
  const strategy = app.get(JwtStrategy);
  const key = (await webcrypto.subtle.importKey('raw', Buffer.from(BENCH_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])) as CryptoKey;

  // One batch first, so that the baseline includes a warm strategy and jose.
  for (const token of await signTokens('HS256', BATCH, { key, from: -BATCH })) await strategy.authenticate({ headers: { authorization: `Bearer ${token}` } });
  const before = heapMb(true);
  let peak = before;
  let peakEntries = 0;
  const started = performance.now();
  for (let from = 0; from < total; from += BATCH) {
    const tokens = await signTokens('HS256', Math.min(BATCH, total - from), { key, from });
    // 100 in flight, as concurrent requests would be.
    for (let i = 0; i < tokens.length; i += 100) {
      const principals = await Promise.all(tokens.slice(i, i + 100).map((token) => strategy.authenticate({ headers: { authorization: `Bearer ${token}` } })));
      if (principals.some((p) => !p)) throw new Error('a valid token was not accepted');
    }
    peakEntries = Math.max(peakEntries, strategy.verifiedTokens!.size);
    if ((from + BATCH) % 10_000 === 0) peak = Math.max(peak, heapMb(false));
    if ((from + BATCH) % 100_000 === 0) console.log(`  ${(from + BATCH).toLocaleString('en')} tokens: cache ${strategy.verifiedTokens!.size} entries, heap ${heapMb(false).toFixed(1)} MB`);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = heapMb(true);
  peak = Math.max(peak, after);
  const cacheEntries = strategy.verifiedTokens!.size;
  await app.close();

  const bounded = peakEntries <= CACHE_SIZE && after - before <= BOUND_MB;
  const result = {
    name: 'token-cache-memory',
    tokens: total,
    cacheSize: CACHE_SIZE,
    cacheEntries,
    peakEntries,
    heapBeforeMb: Number(before.toFixed(1)),
    heapAfterMb: Number(after.toFixed(1)),
    heapPeakMb: Number(peak.toFixed(1)),
    seconds: Number(seconds.toFixed(1)),
    bounded,
    markdown: [
      `**Keycloak CVE-2025-2559 regression: ${total.toLocaleString('en')} distinct valid tokens through the \`jwt\` strategy** ` +
        `(HS256, \`cacheSize\` ${CACHE_SIZE.toLocaleString('en')}; signed and verified in ${seconds.toFixed(0)} s):`,
      '',
      `heap ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after (both after a forced GC), peak ${peak.toFixed(1)} MB sampled; ` +
        `cache ${cacheEntries.toLocaleString('en')} entries at the end, never more than ${peakEntries.toLocaleString('en')} ` +
        `→ **${bounded ? 'bounded' : 'NOT BOUNDED'}** (bound: at most ${CACHE_SIZE.toLocaleString('en')} entries and ${BOUND_MB} MB of growth).`,
    ],
  };
  console.log('\n' + result.markdown.join('\n'));
  console.log('RESULT ' + JSON.stringify(result));
  if (!bounded) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
