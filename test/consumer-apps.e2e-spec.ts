import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { ConsumerWorkspace, run, RunningApp } from './helpers/consumer-apps.js';
import { freePort } from './helpers/redis-server.js';

/**
 * What a user installs is what is tested: `npm pack` the library, install the tarball into three
 * throwaway apps (test/consumer-apps/) from the registry, then in each compile with the app's own
 * TypeScript, boot the compiled app with node, and run the app's own e2e test (`actAs` from
 * nest-warden/testing against a @Roles route) with the app's own runner:
 *
 * | app | module system | TypeScript | runner | adapter |
 * |---|---|---|---|---|
 * | cjs-jest | CommonJS | 6 | Jest 30 in ESM mode (ts-jest) | Express |
 * | esm-vitest | ESM, as the Nest 12 CLI generates | 6 | vitest 4.1 | Express |
 * | esm-vitest-ts7 | ESM | 7 (our .d.ts checked: skipLibCheck off) | vitest 4.1 | Fastify |
 */
const APPS = [
  { name: 'cjs-jest', typescript: '6.', runner: 'jest' },
  { name: 'esm-vitest', typescript: '6.', runner: 'vitest' },
  { name: 'esm-vitest-ts7', typescript: '7.', runner: 'vitest' },
] as const;

const SECRET = 'a-consumer-test-secret-of-at-least-32-bytes';

describe('the packed library in consumer apps', () => {
  let workspace: ConsumerWorkspace;
  const started = Date.now();

  beforeAll(async () => {
    workspace = await ConsumerWorkspace.create();
    await workspace.pack();
    // Each app's dependencies once per run, two at a time (one npm cache; 2 cores).
    const queue = [...APPS];
    await Promise.all(
      [0, 1].map(async () => {
        for (let app = queue.shift(); app; app = queue.shift()) await workspace.install(app.name);
      }),
    );
  }, 600_000);

  afterAll(async () => {
    await workspace?.remove();
    const timings = Object.entries(workspace?.timings ?? {}).map(([step, s]) => `${step} ${s.toFixed(1)} s`);
    process.stdout.write(`consumer apps: ${((Date.now() - started) / 1000).toFixed(1)} s in all (${timings.join(', ')})\n`);
  }, 60_000);

  it('packs only dist/, README, LICENSE and package.json, and no test code', async () => {
    const { output } = await run('tar', ['-tzf', 'nest-warden.tgz'], workspace.dir, { keepOutput: Infinity });
    const files = output.trim().split('\n');
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/testing/index.d.ts');
    expect(files.filter((file) => !/^package\/(dist\/|README\.md$|LICENSE$|package\.json$)/.test(file))).toEqual([]);
    expect(files.filter((file) => /\.spec\.|\/test\/|\/sample\//.test(file))).toEqual([]);
  });

  describe.each(APPS)('$name', ({ name, typescript, runner }) => {
    const dir = () => workspace.appDir(name);

    it(`installs nest-warden from the tarball with TypeScript ${typescript}x`, async () => {
      const installed = JSON.parse(await readFile(join(dir(), 'node_modules/nest-warden/package.json'), 'utf8'));
      const ours = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
      expect(installed.version).toBe(ours.version);
      const ts = JSON.parse(await readFile(join(dir(), 'node_modules/typescript/package.json'), 'utf8'));
      expect(ts.version.startsWith(typescript)).toBe(true);
    });

    it('compiles with tsc, boots with node, and guards its @Roles route with a real token', async () => {
      await run('npm', ['run', '-s', 'build'], dir());
      const port = await freePort();
      const app = await RunningApp.start(dir(), 'dist/src/main.js', { PORT: String(port), JWT_SECRET: SECRET });
      try {
        const base = `http://127.0.0.1:${port}`;
        expect((await fetch(`${base}/health`)).status).toBe(200);
        const anonymous = await fetch(`${base}/admin/stats`);
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="nest-warden"');
        const token = async (roles: string[]) =>
          new SignJWT({ roles })
            .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
            .setSubject('u9')
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(SECRET));
        const admin = await fetch(`${base}/admin/stats`, { headers: { authorization: `Bearer ${await token(['admin'])}` } });
        expect(admin.status).toBe(200);
        expect(await admin.json()).toEqual({ requestedBy: 'u9', users: 2 });
        const user = await fetch(`${base}/admin/stats`, { headers: { authorization: `Bearer ${await token(['user'])}` } });
        expect(user.status).toBe(403);
      } finally {
        await app.stop();
      }
    }, 180_000);

    it(`runs its own e2e test with ${runner} (actAs, signTestToken, FakeClock from nest-warden/testing)`, async () => {
      const { output } = await run('npm', ['run', '-s', 'test:e2e'], dir());
      expect(output).toMatch(runner === 'jest' ? /Tests:\s+3 passed, 3 total/ : /Tests\s+3 passed \(3\)/);
    }, 180_000);
  });
});
