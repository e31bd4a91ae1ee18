import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagesLoadedBy } from '../../test/helpers/runtime-imports.js';

const LIB = resolve(import.meta.dirname, '..');
const ROOT = resolve(LIB, '..');


const CASL = /^@(casl|ucast|prisma)\//;

describe('nest-warden/casl entry points (@casl/ability, @casl/prisma optional peers; @ucast/sql loaded by toSql())', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string }>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };

  it('keeps them out of everything `import "nest-warden"` loads', () => {
    const loaded = packagesLoadedBy(join(LIB, 'index.ts'));
    expect(loaded.filter((name) => CASL.test(name))).toEqual([]);
    expect(loaded).toContain('@nestjs/common');
  });

  it('loads @casl/ability from nest-warden/casl (@ucast/sql only when toSql() runs), and @casl/prisma only from nest-warden/casl/prisma', () => {
    expect(packagesLoadedBy(join(LIB, 'casl', 'index.ts')).filter((name) => CASL.test(name)).sort()).toEqual(['@casl/ability', '@casl/ability/extra']);
    expect(packagesLoadedBy(join(LIB, 'casl', 'prisma', 'index.ts')).filter((name) => CASL.test(name))).toEqual(['@casl/prisma/runtime']);
  });

  it('are exported as subpaths, with the libraries optional peers', () => {
    expect(manifest.exports['./casl']).toEqual({ types: './dist/casl/index.d.ts', default: './dist/casl/index.js' });
    expect(manifest.exports['./casl/prisma']).toEqual({ types: './dist/casl/prisma/index.d.ts', default: './dist/casl/prisma/index.js' });
    for (const peer of ['@casl/ability', '@casl/prisma']) expect(manifest.peerDependenciesMeta[peer]).toEqual({ optional: true });
  });

  it('does not declare @ucast/sql a peer: its optional peers (typeorm 0.2...) made npm refuse to install apps (ERESOLVE)', () => {
    expect(manifest.peerDependenciesMeta['@ucast/sql']).toBeUndefined();
  });
});
