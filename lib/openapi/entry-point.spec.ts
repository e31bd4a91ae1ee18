import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagesLoadedBy } from '../../test/helpers/runtime-imports.js';

const LIB = resolve(import.meta.dirname, '..');
const ROOT = resolve(LIB, '..');


describe('nest-warden/openapi entry point (@nestjs/swagger is an optional peer dependency)', () => {
  it('keeps @nestjs/swagger out of everything `import "nest-warden"` loads', () => {
    const loaded = packagesLoadedBy(join(LIB, 'index.ts'));
    expect(loaded.filter((name) => name.startsWith('@nestjs/swagger'))).toEqual([]);
    expect(loaded).toContain('@nestjs/common');
  });

  it('loads @nestjs/swagger from nest-warden/openapi, exported as a subpath of the package', () => {
    expect(packagesLoadedBy(join(LIB, 'openapi', 'index.ts'))).toContain('@nestjs/swagger');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(manifest.exports['./openapi']).toEqual({ types: './dist/openapi/index.d.ts', default: './dist/openapi/index.js' });
    expect(manifest.peerDependenciesMeta['@nestjs/swagger']).toEqual({ optional: true });
  });
});
