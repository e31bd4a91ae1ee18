/**
 * Where a server's CPU went: `node .build/bench/profile-summary.js <file.cpuprofile> [top]`.
 * Profiles come from `BENCH_CPU_PROF=<dir> npm run bench` (every server writes one when it stops;
 * narrow the run with BENCH_VARIANTS and BENCH_PARTS=guard). Prints the share of active samples
 * (idle excluded) per package (nest-warden's own files are `lib/`) and the functions with the
 * most self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

function packageOf(url: string, name: string): string {
  if (!url) return name === '(garbage collector)' ? 'GC' : name.startsWith('(') ? name : 'native';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.includes('/.build/lib/') || url.includes('/lib/')) return 'nest-warden (lib/)';
  if (url.includes('/.build/bench/')) return 'bench app';
  if (url.startsWith('node:')) return 'node';
  return url;
}

function main(): void {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.js <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  let active = 0;
  const perPackage = new Map<string, number>();
  const perFunction = new Map<string, number>();
  for (const [id, count] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    active += count;
    const pkg = packageOf(url, functionName);
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + count);
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/\.build\//, '')}:${lineNumber + 1}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + count);
  }
  const pct = (n: number) => `${((100 * n) / active).toFixed(1).padStart(5)} %`;
  console.log(`${file}: ${active} active samples\n\nper package:`);
  for (const [pkg, n] of [...perPackage].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(n)}  ${pkg}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [fn, n] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(n)}  ${fn}`);
}

main();
