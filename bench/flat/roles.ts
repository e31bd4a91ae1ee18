/**
 * Flat cost: per-request cost of `@Roles` and `@Permissions` from 10 to 1,000 roles in a hierarchy.
 * The hierarchy is a chain (`r0` implies `r1` implies … `r(N-1)`), the deepest shape; the caller
 * holds `r0`; the routes need `r(N-1)` (`@Roles`) and a permission granted only to `r(N-1)`
 * (`@Permissions`), so both are satisfied through the whole chain. In-process, warm HS256 token.
 * `npm run bench:roles` (BENCH_QUICK=1: up to 100 roles).
 */
import { AuthModule, Permissions, Roles } from '../../lib/index.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, BENCH_SECRET } from '../bench-config.js';
import { signTokens } from '../sign-tokens.js';
import { QUICK } from '../stats.js';
import { itemController } from '../variants.js';
import { bootApp, guardCall, guardOf, measureInterleaved, printResult, resultTable } from './in-process.js';

const SIZES = QUICK ? [10, 100] : [10, 100, 1_000];

async function main(): Promise<void> {
  const [token] = await signTokens('HS256', 1, { roles: ['r0'] });
  const headers = { authorization: `Bearer ${token}` };
  const rolesCases = [];
  const permissionCases = [];
  const apps = [];
  for (const size of SIZES) {
    const hierarchy: Record<string, string[]> = {};
    for (let i = 0; i < size - 1; i++) hierarchy[`r${i}`] = [`r${i + 1}`];
    const bottom = `r${size - 1}`;
    const byRole = itemController([Roles(bottom)]);
    const byPermission = itemController([Permissions('items:read')]);
    const { app } = await bootApp({
      imports: [
        AuthModule.forRoot({
          jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE },
          roles: { hierarchy, permissions: { [bottom]: ['items:read'] } },
        }),
      ],
      controllers: [byRole, byPermission],
    });
    apps.push(app);
    const label = size.toLocaleString('en');
    rolesCases.push({ label, call: guardCall(guardOf(app), byRole, byRole.prototype.item, headers) });
    permissionCases.push({ label, call: guardCall(guardOf(app), byPermission, byPermission.prototype.item, headers) });
  }
  const roles = await measureInterleaved(rolesCases);
  const permissions = await measureInterleaved(permissionCases);
  for (const app of apps) await app.close();
  printResult({
    name: 'roles',
    roles,
    permissions,
    markdown: [
      '**Roles in a hierarchy** (a chain of N roles; the caller holds the top, the route needs the bottom; the guard in-process, warm HS256 token):',
      '',
      "`@Roles('r(N-1)')`:",
      '',
      ...resultTable('roles', roles),
      '',
      "`@Permissions('items:read')`, granted to `r(N-1)` only:",
      '',
      ...resultTable('roles', permissions),
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
