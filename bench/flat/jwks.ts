/**
 * Flat cost: per-request cost of the `jwt` strategy with a remote JWKS of 1 to 100 keys (EdDSA),
 * served by a loopback HTTP server; the signing key is the last of each set. Warm (one cached
 * token) and cold (a new token on every call, from a pre-signed pool). In-process guard calls.
 * `npm run bench:jwks` (BENCH_QUICK=1: up to 10 keys).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { AuthModule } from '../../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER } from '../bench-config.js';
import { signTokens } from '../sign-tokens.js';
import { QUICK } from '../stats.js';
import { itemController } from '../variants.js';
import { bootApp, guardCall, guardOf, measureInterleaved, printResult, resultTable } from './in-process.js';

const SIZES = QUICK ? [1, 10] : [1, 10, 100];
const COLD_POOL = QUICK ? 5_000 : 40_000;

async function main(): Promise<void> {
  const pairs = Array.from({ length: SIZES.at(-1)! }, () => generateKeyPairSync('ed25519'));
  const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' });
  const signer = pairs[0];
  // Set N: N-1 other keys, then the signing key (kid "signer") last.
  const sets = new Map(SIZES.map((n) => [n, { keys: [...pairs.slice(1, n).map((p, i) => jwk(p.publicKey, `other-${i}`)), jwk(signer.publicKey, 'signer')] }]));
  const server = createServer((request, response) => {
    const n = Number(/^\/jwks-(\d+)\.json$/.exec(request.url ?? '')?.[1]);
    const set = sets.get(n);
    response.writeHead(set ? 200 : 404, { 'content-type': 'application/json' }).end(set ? JSON.stringify(set) : '{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };

  const [warmToken] = await signTokens('EdDSA', 1, { key: signer.privateKey, kid: 'signer', from: 1e9 });
  const pool = (await signTokens('EdDSA', COLD_POOL, { key: signer.privateKey, kid: 'signer' })).map((t) => `Bearer ${t}`);
  const warm = [];
  const cold = [];
  const apps = [];
  for (const size of SIZES) {
    const controller = itemController();
    const { app } = await bootApp({
      imports: [AuthModule.forRoot({ jwt: { algorithms: ['EdDSA'], jwksUri: `http://127.0.0.1:${port}/jwks-${size}.json`, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE } })],
      controllers: [controller],
    });
    apps.push(app);
    const guard = guardOf(app);
    const label = size.toLocaleString('en');
    warm.push({ label, call: guardCall(guard, controller, controller.prototype.item, { authorization: `Bearer ${warmToken}` }) });
    let next = 0;
    cold.push({
      label,
      call: () => {
        if (next === pool.length) throw new Error(`the cold pool (${pool.length} tokens) ran out: tokens would repeat and hit the cache`);
        return guardCall(guard, controller, controller.prototype.item, { authorization: pool[next++] })();
      },
    });
  }
  const warmResults = await measureInterleaved(warm);
  // 32 in flight: a signature check is a WebCrypto job on libuv's pool, so one at a time would
  // measure the thread hand-off latency of a busy machine, not the work.
  const coldResults = await measureInterleaved(cold, { batchMs: QUICK ? 5 : 20, concurrency: 32 });
  for (const app of apps) await app.close();
  server.close();
  printResult({
    name: 'jwks',
    warm: warmResults,
    cold: coldResults,
    markdown: [
      '**Keys in a remote JWKS** (EdDSA, the signing key last in the set; the guard in-process):',
      '',
      'Warm (one token, from the verified-token cache):',
      '',
      ...resultTable('keys', warmResults),
      '',
      'Cold (a new token on every call, 32 in flight: key lookup in the set + signature):',
      '',
      ...resultTable('keys', coldResults),
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
