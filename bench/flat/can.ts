/**
 * Per-request cost of `@Can()` (nest-warden/casl) beside `@Roles()`, in-process with a warm HS256
 * token: the guard called directly on a fresh request object each time, so each call builds the
 * caller's CASL ability from the role's rules and checks it. Cases: `@Roles('user')`;
 * `@Can('read', 'Item')` (subject type only) with the role holding 2 and 100 rules; `@Can('inspect',
 * 'Item', { resource })` (a synchronously loaded item checked against a rule's condition).
 * `npm run bench:can`.
 */
import { Injectable } from '@nestjs/common';
import { Can, CaslModule, type ResourceLoader, type WardenRule } from '../../lib/casl/index.js';
import { AuthModule, Roles } from '../../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_ROLE, BENCH_SECRET } from '../bench-config.js';
import { signTokens } from '../sign-tokens.js';
import { ITEM, itemController } from '../variants.js';
import { bootApp, guardCall, guardOf, measureInterleaved, printResult, resultTable } from './in-process.js';

@Injectable()
class SyncItemLoader implements ResourceLoader<typeof ITEM> {
  load() {
    return ITEM;
  }
}

/** The role's rules: the two the routes need, then `extra` rules on other subjects (as a larger app has). */
function rules(extra: number): WardenRule[] {
  const out: WardenRule[] = [
    { action: 'read', subject: 'Item' },
    { action: 'inspect', subject: 'Item', conditions: { ok: true } },
  ];
  for (let i = 0; i < extra; i++) out.push({ action: i % 2 ? 'read' : 'update', subject: `Thing${i}`, conditions: { owner: i } });
  return out;
}

async function boot(extra: number) {
  const byRole = itemController([Roles(BENCH_ROLE)]);
  const byType = itemController([Can('read', 'Item')]);
  const byCondition = itemController([Can('inspect', 'Item', { resource: SyncItemLoader })]);
  const { app } = await bootApp({
    imports: [
      AuthModule.forRoot({ jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE } }),
      CaslModule.forRoot({ roles: { [BENCH_ROLE]: rules(extra) } }),
    ],
    controllers: [byRole, byType, byCondition],
    providers: [SyncItemLoader],
  });
  return { app, byRole, byType, byCondition };
}

async function main(): Promise<void> {
  const [token] = await signTokens('HS256', 1, { roles: [BENCH_ROLE] });
  const headers = { authorization: `Bearer ${token}` };
  const small = await boot(0);
  const large = await boot(98);
  const call = (app: typeof small, route: 'byRole' | 'byType' | 'byCondition') =>
    guardCall(guardOf(app.app), app[route], app[route].prototype.item, headers);
  const results = await measureInterleaved([
    { label: "@Roles('user')", call: call(small, 'byRole') },
    { label: "@Can('read', 'Item'), 2 rules", call: call(small, 'byType') },
    { label: "@Can('inspect', 'Item', { resource }), 2 rules", call: call(small, 'byCondition') },
    { label: "@Can('read', 'Item'), 100 rules", call: call(large, 'byType') },
  ]);
  await small.app.close();
  await large.app.close();
  printResult({
    name: 'can',
    results,
    markdown: [
      "**`@Can()` beside `@Roles()`** (the guard in-process, warm HS256 token, a fresh request each call: the CASL ability is built and checked every time):",
      '',
      ...resultTable('route', results),
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
