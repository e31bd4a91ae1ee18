// Code blocks in the guides are copies of files that are compiled and run. A block preceded by
//
//   <!-- from: docs/examples/jwt.example.ts#auth0 -->
//
// must equal that region of the file: the lines between `// --- example: auth0` and the next
// `// --- end` (or `// --- example:`), dedented, with imports of `../../lib/<entry>/index.js` written
// as the package's own (`nest-warden`, `nest-warden/testing`, ...). Without `#name` the block is the
// whole file; for a .json file, `#key` is that top-level key as `"key": <value>`.
// The guides in STRICT quote nothing else: each of their ts/js/json blocks needs a `from`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = join(ROOT, 'docs');
const STRICT = ['jwt.md', 'testing.md'];

interface Block {
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly from: string | undefined;
}

function blocksOf(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`unclosed code block at line ${i + 1}`);
    const from = /^<!-- from: (\S+) -->$/.exec(lines[i - 1] ?? '')?.[1];
    blocks.push({ line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join('\n'), from });
    i = end;
  }
  return blocks;
}

function dedent(lines: string[]): string {
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

const PACKAGE_IMPORTS: [RegExp, string][] = [
  [/from '(?:\.\.\/)+lib\/index\.js'/g, "from 'nest-warden'"],
  [/from '(?:\.\.\/)+lib\/(testing|openapi|throttling|casl|casl\/prisma)\/index\.js'/g, "from 'nest-warden/$1'"],
];

/** What a `from` reference says the block must be. */
function quoted(reference: string): string {
  const [path, name] = reference.split('#');
  const text = readFileSync(join(ROOT, path), 'utf8');
  if (path.endsWith('.json')) {
    if (!name) return text.trimEnd();
    const value = (JSON.parse(text) as Record<string, unknown>)[name];
    if (value === undefined) throw new Error(`${path} has no key "${name}"`);
    return `"${name}": ${JSON.stringify(value, null, 2)}`;
  }
  let code = text.trimEnd();
  if (name) {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.trim() === `// --- example: ${name}`);
    if (start < 0) throw new Error(`${path} has no "// --- example: ${name}" marker`);
    let end = lines.findIndex((l, i) => i > start && /^\s*\/\/ --- (end|example:)/.test(l));
    if (end < 0) end = lines.length;
    code = dedent(lines.slice(start + 1, end)).trimEnd();
  }
  for (const [pattern, replacement] of PACKAGE_IMPORTS) code = code.replace(pattern, replacement);
  return code;
}

const guides = [
  ...readdirSync(DOCS)
    .filter((file) => file.endsWith('.md'))
    .map((file) => ({ guide: file, blocks: blocksOf(readFileSync(join(DOCS, file), 'utf8')) })),
  { guide: '../README.md', blocks: blocksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')) },
]
  .filter(({ guide, blocks }) => STRICT.includes(guide) || blocks.some((block) => block.from));

describe.each(guides)('docs/$guide code blocks', ({ guide, blocks }) => {
  const checked = blocks.filter((block) => block.from !== undefined);

  if (STRICT.includes(guide)) {
    it('quotes compiled code only: every ts/js/json block names its source', () => {
      const unquoted = blocks.filter((b) => ['ts', 'js', 'json'].includes(b.lang) && !b.from).map((b) => `line ${b.line}`);
      expect(unquoted).toEqual([]);
      expect(checked.length).toBeGreaterThan(0);
    });
  }

  if (checked.length) {
    it.each(checked.map((b) => [`line ${b.line}: ${b.from}`, b] as const))('%s is a copy of its source', (_name, block) => {
      expect(block.code).toBe(quoted(block.from!));
    });
  }
});
