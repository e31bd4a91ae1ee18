import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Packages an application may leave out; nest-warden must load without them. */
const OPTIONAL = /^(@nestjs\/(graphql|apollo|websockets|platform-socket\.io)|@apollo\/|graphql$|socket\.io)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('optional peers (GraphQL, WebSockets)', () => {
  const root = import.meta.dirname;
  const files = sources(root).map((path) => ({
    file: relative(root, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('are never imported statically by the library (type-only imports vanish at build)', () => {
    const offending: string[] = [];
    for (const { file, text } of files) {
      for (const match of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms)) {
        if (OPTIONAL.test(match[1])) offending.push(`${file}: ${match[1]}`);
      }
      for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) {
        if (OPTIONAL.test(match[1])) offending.push(`${file}: ${match[1]}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('are loaded lazily in one place: WsException, for applications that have gateways', () => {
    const dynamic = files.flatMap(({ file, text }) =>
      [...text.matchAll(/import\('([^']+)'\)/g)]
        .filter((m) => OPTIONAL.test(m[1]))
        .map((m) => `${file}: ${m[1]}`),
    );
    expect(dynamic).toEqual(['context/context-denials.ts: @nestjs/websockets']);
  });
});

describe('optional peers (@casl/ability, @ucast/sql)', () => {
  const root = import.meta.dirname;
  const outside = sources(root)
    .filter((path) => !relative(root, path).startsWith('casl/'))
    .map((path) => ({ file: relative(root, path), text: readFileSync(path, 'utf8') }));

  it('are imported under lib/casl/ only, not even for types: the main entry point never loads CASL', () => {
    const offending = outside.flatMap(({ file, text }) =>
      [...text.matchAll(/(?:from\s+|import\()'(@casl\/[^']+|@ucast\/[^']+)'/g)].map((m) => `${file}: ${m[1]}`),
    );
    expect(offending).toEqual([]);
  });

  it('nothing outside lib/casl/ imports lib/casl/', () => {
    const offending = outside.filter(({ text }) => /from\s+'[./]*casl\//.test(text)).map(({ file }) => file);
    expect(offending).toEqual([]);
  });
});
