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
function packagesLoadedBy(entry: string): Set<string> {
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
  return packages;
}

describe('nest-warden/openapi entry point (@nestjs/swagger is an optional peer dependency)', () => {
  it('keeps @nestjs/swagger out of everything `import "nest-warden"` loads', () => {
    const loaded = [...packagesLoadedBy(join(LIB, 'index.ts'))];
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
