/**
 * Flat cost: per-request cost of an API key from 10 to 100,000 configured keys (`apiKeys.keys`).
 * In-process: the guard called directly on a booted app per size, all sizes up at once, measured
 * in interleaved batches. `npm run bench:api-keys` (BENCH_QUICK=1: up to 1,000 keys).
 */
import { Auth, AuthModule, type ApiKeyRecord, generateApiKey, hashApiKey } from '../../lib/index.js';
import { QUICK } from '../stats.js';
import { itemController } from '../variants.js';
import { bootApp, guardCall, guardOf, measureInterleaved, printResult, resultTable } from './in-process.js';

const SIZES = QUICK ? [10, 100, 1_000] : [10, 100, 1_000, 10_000, 100_000];

async function main(): Promise<void> {
  const keys = Array.from({ length: SIZES.at(-1)! }, () => generateApiKey('bench_'));
  const records: ApiKeyRecord[] = keys.map((key, i) => ({ id: `service-${i}`, hash: hashApiKey(key), roles: ['service'] }));
  const cases = [];
  const boots: string[][] = [];
  const apps = [];
  for (const size of SIZES) {
    const controller = itemController([Auth('api-key')]);
    const { app, ms } = await bootApp({
      imports: [AuthModule.forRoot({ apiKeys: { header: 'X-API-Key', keys: records.slice(0, size) } })],
      controllers: [controller],
    });
    apps.push(app);
    boots.push([size.toLocaleString('en'), `${ms.toFixed(0)} ms`]);
    // The last key of the list: with a scan, the farthest one (today's scan has no early exit anyway).
    cases.push({ label: size.toLocaleString('en'), call: guardCall(guardOf(app), controller, controller.prototype.item, { 'x-api-key': keys[size - 1] }) });
  }
  const results = await measureInterleaved(cases);
  for (const app of apps) await app.close();
  printResult({
    name: 'api-keys',
    results,
    markdown: [
      '**API keys** (`apiKeys.keys` with N records; the guard on `@Auth(\'api-key\')`, in-process):',
      '',
      ...resultTable('keys', results),
      '',
      'Boot (create + init) per size: ' + boots.map(([size, ms]) => `${size}: ${ms}`).join(', ') + '.',
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
