import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const LIB = resolve(import.meta.dirname, '..');
const ROOT = resolve(LIB, '..');

/** The modules a file loads at run time: its emitted JavaScript's imports (type-only ones are gone). */
function runtimeImports(file: string): string[] {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      isolatedModules: true,
    },
  });
  return ts.preProcessFile(outputText, true, true).importedFiles.map((imported) => imported.fileName);
}

/** Every bare package a module loads, following relative imports through the library. */
function packagesLoadedBy(entry: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return [...packages];
}

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
