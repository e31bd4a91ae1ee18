/**
 * Flat cost: per-request cost with 0 to 1,000,000 entries in `MemoryStore`. The app verifies its
 * token service's own HS256 tokens, so every request asks the deny list in the store (the `jti`,
 * the user); the store is filled beforehand with N revoked tokens (`AccessTokenDenyList.denyToken`,
 * the namespace the request reads). In-process guard calls, warm token.
 * `npm run bench:memory-store-size` (BENCH_QUICK=1: up to 10,000 entries).
 */
import { AuthModule, MemoryStore, SystemClock } from '../../lib/index.js';
import { AccessTokenDenyList } from '../../lib/tokens/issuance/access-token-deny-list.js';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_ISSUER, BENCH_SECRET } from '../bench-config.js';
import { signTokens } from '../sign-tokens.js';
import { QUICK } from '../stats.js';
import { BenchUsers, itemController } from '../variants.js';
import { UserDirectory } from '../../lib/index.js';
import { bootApp, guardCall, guardOf, measureInterleaved, printResult, resultTable } from './in-process.js';

const SIZES = QUICK ? [0, 1_000, 10_000] : [0, 1_000, 10_000, 100_000, 1_000_000];

/** A store that holds `entries` revocations: the deny namespace sized to fit them, the rest as by default. */
function storeFor(entries: number): MemoryStore {
  // Room for the deny namespace, and the other protected namespaces their default shares of the rest.
  const maxEntries = 3 * (entries + 1_000) + 100_000;
  return new MemoryStore(new SystemClock(), {
    maxEntries,
    protectedNamespaces: MemoryStore.defaultProtectedNamespaces.map((ns) => (ns.prefix === 'tokens:deny:' ? { ...ns, maxEntries: entries + 1_000 } : ns)),
  });
}

async function main(): Promise<void> {
  const [token] = await signTokens('HS256', 1, { from: 1e9 });
  const headers = { authorization: `Bearer ${token}` };
  const cases = [];
  const apps = [];
  const heap: string[] = [];
  for (const size of SIZES) {
    const store = storeFor(size);
    const controller = itemController();
    const { app } = await bootApp({
      imports: [
        AuthModule.forRoot({
          tokens: { issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, signing: { secret: BENCH_SECRET }, clients: [{ id: BENCH_CLIENT }] },
          store,
        }),
      ],
      controllers: [controller],
      providers: [BenchUsers, { provide: UserDirectory, useExisting: BenchUsers }],
    });
    apps.push(app);
    const before = process.memoryUsage().heapUsed;
    const denyList = app.get(AccessTokenDenyList);
    const until = Date.now() + 3_600_000;
    for (let i = 0; i < size; i++) await denyList.denyToken(`user-${i}`, `revoked-${i}`, until);
    if (store.size < size) throw new Error(`the store holds ${store.size} entries, fewer than the ${size} written`);
    heap.push(`${size.toLocaleString('en')}: +${((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(0)} MB`);
    cases.push({ label: size.toLocaleString('en'), call: guardCall(guardOf(app), controller, controller.prototype.item, headers) });
    console.log(`memory store: ${size} entries written`);
  }
  const results = await measureInterleaved(cases);
  for (const app of apps) await app.close();
  printResult({
    name: 'memory-store-size',
    results,
    markdown: [
      "**Entries in MemoryStore** (N revoked tokens in the store; the token service's own token, whose deny list is asked per request; the guard in-process):",
      '',
      ...resultTable('entries', results),
      '',
      `Heap taken by the filled store (approximate, no GC forced): ${heap.join(', ')}.`,
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
