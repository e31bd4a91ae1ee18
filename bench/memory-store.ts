/**
 * Memory bound under a flood: one million failed logins, each on a distinct username from a
 * distinct IPv6 /64 (two distinct counter keys each), through `LoginThrottle` into the default
 * `MemoryStore`. The clock is frozen, so nothing expires during the run (the worst case: every
 * key is live inside the 15-minute window). A locked account and a targeted one (4 failures) are
 * checked before and after.
 *
 *   npm run bench:memory            (FLOOD=200000 npm run bench:memory for a shorter run)
 */
import 'reflect-metadata';
import { Clock, MemoryStore } from '../lib/index.js';
import { LoginThrottle } from '../lib/login/login-throttle.js';
import { LoginThrottleSettings } from '../lib/login/login-throttle-settings.js';

class FrozenClock extends Clock {
  private readonly at = Date.now();
  now(): number {
    return this.at;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

async function isLocked(throttle: LoginThrottle, username: string): Promise<boolean> {
  try {
    await throttle.assertAllowed(username, '198.51.100.1');
    return false;
  } catch {
    return true;
  }
}

async function main(): Promise<void> {
  if (!gc) console.warn('run with node --expose-gc for exact heap figures');
  const flood = Number(process.env.FLOOD ?? (process.env.BENCH_QUICK === '1' ? 20_000 : 1_000_000));
  const store = new MemoryStore(new FrozenClock());
  const throttle = new LoginThrottle(store, new LoginThrottleSettings());

  const baseline = heapMb();
  for (let i = 0; i < 5; i++) await throttle.recordFailure('victim-locked', '203.0.113.1');
  for (let i = 0; i < 4; i++) await throttle.recordFailure('victim-targeted', '203.0.113.2');

  const sampleEvery = Math.min(100_000, Math.max(1, Math.floor(flood / 10)));
  let peakEntries = 0;
  let peakHeap = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < flood; i++) {
    await throttle.recordFailure(`flood-${i}`, `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`);
    if ((i + 1) % sampleEvery === 0) {
      peakEntries = Math.max(peakEntries, store.size);
      peakHeap = Math.max(peakHeap, heapMb());
      console.log(`  ${(i + 1).toLocaleString('en')} failed logins: ${store.size.toLocaleString('en')} entries, heap ${peakHeap.toFixed(1)} MB`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = heapMb();

  const lockedSurvived = await isLocked(throttle, 'victim-locked');
  const targetedKept = (await throttle.recordFailure('victim-targeted', '198.51.100.2')) > 0;
  const result = {
    failedLogins: flood,
    distinctKeysWritten: 2 * flood,
    maxEntries: store.maxEntries,
    entriesAfter: store.size,
    peakEntries,
    heapBaselineMb: Number(baseline.toFixed(1)),
    heapAfterMb: Number(after.toFixed(1)),
    heapPeakMb: Number(Math.max(peakHeap, after).toFixed(1)),
    storeHeapMb: Number((after - baseline).toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    failedLoginsPerSecond: Math.round(flood / seconds),
    lockoutSurvived: lockedSurvived,
    targetedCounterSurvived: targetedKept,
  };
  const markdown = [
    `**MemoryStore under a login flood** (${flood.toLocaleString('en')} failed logins, each a new username from a new IPv6 /64, ` +
      `${(2 * flood).toLocaleString('en')} distinct counter keys, clock frozen): at most ${result.peakEntries.toLocaleString('en')} entries ` +
      `(bound ${store.maxEntries.toLocaleString('en')}); heap ${result.heapBaselineMb} MB before, ${result.heapAfterMb} MB after, ` +
      `peak ${result.heapPeakMb} MB; a locked account stayed locked: ${lockedSurvived ? 'yes' : 'NO'}; ` +
      `a targeted account's counter survived: ${targetedKept ? 'yes' : 'NO'}; ${result.failedLoginsPerSecond.toLocaleString('en')} failed logins/s.`,
  ];
  console.log(JSON.stringify(result, null, 2));
  console.log('\n' + markdown.join('\n'));
  console.log('RESULT ' + JSON.stringify({ name: 'memory-store-flood', ...result, markdown }));
  if (result.peakEntries > store.maxEntries || !lockedSurvived || !targetedKept) process.exitCode = 1;
}

void main();
