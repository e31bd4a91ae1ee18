// Links in README.md and the guides lead somewhere. README.md is also the package's page on the npm
// registry, where relative links do not resolve: its links are absolute, and those into this
// repository (https://github.com/nest-warden/nest-warden/blob/main/<path>) must name a file that
// exists, and a heading that exists when they carry an anchor. In docs/*.md, relative links must
// name existing files and headings (anchors as GitHub makes them).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPOSITORY_FILES = 'https://github.com/nest-warden/nest-warden/blob/main/';

/** Markdown outside fenced code blocks. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** The anchors GitHub gives a file's headings. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

function linksOf(file: string): string[] {
  const links: string[] = [];
  for (const line of prose(readFileSync(file, 'utf8'))) {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) links.push(match[1]);
  }
  return links;
}

/** Why a link into the repository leads nowhere, or undefined when it leads somewhere. */
function brokenTarget(from: string, path: string, anchor: string | undefined): string | undefined {
  const target = path === '' ? from : join(dirname(from), path);
  if (!existsSync(target)) return `${relative(ROOT, target)} does not exist`;
  if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
    return `${relative(ROOT, target)} has no heading #${anchor}`;
  }
  return undefined;
}

describe('README.md links (also the npm registry page)', () => {
  const readme = join(ROOT, 'README.md');
  const links = linksOf(readme);

  it('are all absolute, so they work on the registry page too', () => {
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((link) => !/^(https?:|mailto:|#)/.test(link))).toEqual([]);
  });

  it('into this repository name files and headings that exist', () => {
    const broken = links
      .filter((link) => link.startsWith(REPOSITORY_FILES))
      .map((link) => {
        const [path, anchor] = link.slice(REPOSITORY_FILES.length).split('#');
        const why = brokenTarget(join(ROOT, 'README.md'), path, anchor);
        return why && `${link}: ${why}`;
      })
      .filter(Boolean);
    expect(broken).toEqual([]);
  });
});

describe.each(readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md')))('docs/%s links', (guide) => {
  it('lead to files and headings that exist', () => {
    const file = join(ROOT, 'docs', guide);
    const broken = linksOf(file)
      .filter((link) => !/^(https?:|mailto:)/.test(link))
      .map((link) => {
        const [path, anchor] = link.split('#');
        const why = brokenTarget(file, path, anchor);
        return why && `${link}: ${why}`;
      })
      .filter(Boolean);
    expect(broken).toEqual([]);
  });
});
