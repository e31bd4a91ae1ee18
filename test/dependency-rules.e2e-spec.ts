import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The dependency rules (`.dependency-cruiser.cjs`, run by `npm test` as `npm run deps`) must catch
 * what they exist for. Each case writes a small tree shaped like lib/ and runs the same command.
 */
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nest-warden-deps-'));
  try {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', strict: true }, include: ['lib'] }),
    );
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = spawnSync(process.execPath, [CLI, 'lib', '--config', CONFIG, '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LAYERED = {
  'lib/errors/auth.error.ts': 'export class AuthError extends Error {}\n',
  'lib/guards/auth.guard.ts': "import { AuthError } from '../errors/auth.error.js';\nexport const deny = () => new AuthError();\n",
  'lib/tokens/oauth.error.ts': 'export class OAuthError extends Error {}\n',
  'lib/tokens/endpoint/token-endpoint.ts': "import { OAuthError } from '../oauth.error.js';\nexport const fail = () => new OAuthError();\n",
};

describe('dependency rules (npm run deps)', () => {
  it('pass on a tree whose imports point down the layers', () => {
    const result = cruise(LAYERED);
    expect(result.output).toMatch(/no dependency violations found/);
    expect(result.status).toBe(0);
  });

  it('fail on an import cycle, also when one side is a type-only import', () => {
    const result = cruise({
      ...LAYERED,
      'lib/errors/challenge.ts': "import type { Denial } from './denial.js';\nexport type Challenge = { denial: Denial };\n",
      'lib/errors/denial.ts': "import type { Challenge } from './challenge.js';\nexport type Denial = { challenge?: Challenge };\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/error no-circular: lib\/errors\/(challenge|denial)\.ts/);
  });

  it('fail on an import from a lower layer to a higher one', () => {
    const result = cruise({
      ...LAYERED,
      'lib/errors/explain.ts': "import { deny } from '../guards/auth.guard.js';\nexport const explain = () => deny();\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/error no-upward-from-errors: lib\/errors\/explain\.ts → lib\/guards\/auth\.guard\.ts/);
  });

  it('fail on an upward import between the layers inside tokens/', () => {
    const result = cruise({
      ...LAYERED,
      'lib/tokens/scopes.ts': "import { fail } from './endpoint/token-endpoint.js';\nexport const scopes = () => fail();\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/error no-upward-from-tokens: lib\/tokens\/scopes\.ts → lib\/tokens\/endpoint\/token-endpoint\.ts/);
  });

  it('fail when lib/ imports a test helper or its own public entry point', () => {
    const result = cruise({
      ...LAYERED,
      'lib/index.ts': "export { AuthError } from './errors/auth.error.js';\n",
      'lib/guards/helper.ts': "import { AuthError } from '../index.js';\nimport { helper } from '../../test/helper.js';\nexport const x = [AuthError, helper];\n",
      'test/helper.ts': 'export const helper = 1;\n',
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/error index-only-at-the-top: lib\/guards\/helper\.ts → lib\/index\.ts/);
    expect(result.output).toMatch(/error lib-stands-alone: lib\/guards\/helper\.ts → test\/helper\.ts/);
  });
});
