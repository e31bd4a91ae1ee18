/**
 * The load generator: one long-lived process (pinned to its own core by the runner) that runs
 * autocannon windows on command, so that no window pays for a process start or a token file read.
 *
 * Protocol: one JSON `LoadCommand` per stdin line; one JSON `LoadResult` per stdout line, with the
 * command's `id`. Commands run as they arrive, so two at once (a GET beside a login flood) overlap.
 * A request set (`set`) is a JSON file holding an array of header objects: request i of a window
 * sends the next one, and the position is kept per set and target between windows, so a cold pool
 * is walked once before any token comes back.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface LoadCommand {
  readonly id: number;
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  /** Path of a JSON array of header objects, one per request (cycled). */
  readonly set?: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly id: number;
  /** Responses per second, any status. */
  readonly rps: number;
  /** 2xx responses per second. */
  readonly ok: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly unavailable: number;
  readonly errors: number;
  readonly total: number;
  readonly seconds: number;
  /**
   * CPU time this process used during the window ÷ its length: near 1.0 means the load generator,
   * not the server, was the limit (with two windows at once, both count it).
   */
  readonly clientCpu: number;
  readonly error?: string;
}

const sets = new Map<string, readonly Readonly<Record<string, string>>[]>();
const cursors = new Map<string, number>();

function requestSet(path: string) {
  let set = sets.get(path);
  if (!set) {
    set = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>[];
    if (!Array.isArray(set) || set.length === 0) throw new Error(`${path}: not a non-empty array of header objects`);
    sets.set(path, set);
  }
  return set;
}

async function run(command: LoadCommand): Promise<LoadResult> {
  const set = command.set ? requestSet(command.set) : undefined;
  const cursorKey = `${command.set}@${command.url}`;
  let next = cursors.get(cursorKey) ?? 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: command.url,
    duration: command.seconds,
    connections: command.connections,
    method: command.method ?? 'GET',
    body: command.body,
    headers: command.headers ? { ...command.headers } : undefined,
    // autocannon checks for the end of a run at each sample tick (1 s by default): tick every
    // 50 ms so that a short window is not stretched to the next second.
    sampleInt: 50,
    requests: set
      ? [
          {
            setupRequest: (request) => {
              const headers = set[next++ % set.length];
              return { ...request, headers: { ...request.headers, ...headers } };
            },
          },
        ]
      : undefined,
  });
  const cpu = process.cpuUsage(cpuBefore);
  cursors.set(cursorKey, next % (set?.length ?? 1));
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  // start/finish to the millisecond (result.duration is rounded to 10 ms: too coarse for short windows).
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    id: command.id,
    rps: total / seconds,
    ok: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    unavailable: result.statusCodeStats?.['503']?.count ?? 0,
    errors: result.errors + result.timeouts,
    total,
    seconds,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

function main(): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (!line.trim()) return;
    const command = JSON.parse(line) as LoadCommand;
    run(command).then(
      (result) => process.stdout.write(JSON.stringify(result) + '\n'),
      (error: unknown) => process.stdout.write(JSON.stringify({ id: command.id, error: String(error) }) + '\n'),
    );
  });
  process.stdin.once('end', () => process.exit(0));
}

main();
