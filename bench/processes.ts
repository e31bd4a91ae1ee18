/**
 * Child processes of a benchmark run: servers (one per variant and adapter), the load generator,
 * and scripts, each pinned to its cores with `taskset` when the machine has it and more than one
 * core. Every process started here is stopped by the same run (`stopAll`), also on failure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadResult } from './load.js';

export const here = dirname(fileURLToPath(import.meta.url));

export const CORES = availableParallelism();
export const hasTaskset = (() => {
  if (CORES < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();
/** Servers and in-process measurements run here… */
export const SERVER_CORES = '0';
/** …and the load generator here, so it never takes the server's core. */
export const LOAD_CORES = CORES > 1 ? '1' : '0';
export const ALL_CORES = `0-${CORES - 1}`;

const children = new Set<ChildProcess>();

function pinned(cores: string, args: readonly string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', cores, process.execPath, ...args]] : [process.execPath, [...args]];
}

export interface Server {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

/** Starts `bench-server.js <args>` and resolves once it prints `READY <port>`. */
export function startServer(name: string, args: readonly string[], env: NodeJS.ProcessEnv, cores = SERVER_CORES): Promise<Server> {
  // BENCH_CPU_PROF=<dir>: every server writes a V8 CPU profile there when it stops (see profile-summary.ts).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${name.replace(/\W+/g, '-')}.cpuprofile`] : [];
  const [command, argv] = pinned(cores, [...profile, join(here, 'bench-server.js'), ...args]);
  const child = spawn(command, argv, { env: { ...process.env, ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ name, port: Number(match[1]), child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}`));
    });
  });
}

/** Moves a running server (every thread of it) to `cores`. */
export async function pin(server: Server, cores: string): Promise<void> {
  if (!hasTaskset || server.child.pid === undefined) return;
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(server.child.pid)], { stdio: 'ignore' });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stop));
}

/** Runs `script` (a compiled bench file) with node `flags`; resolves with its stdout once it exits 0. */
export function runScript(script: string, args: readonly string[], options: { cores?: string; flags?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const [command, argv] = pinned(options.cores ?? SERVER_CORES, [...(options.flags ?? []), join(here, script), ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    child.once('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${script} exited with ${code}`));
    });
  });
}

/** The JSON object on the last line starting with `RESULT ` of a script's output. */
export function resultOf<T>(output: string): T {
  const line = output.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error('the script printed no RESULT line');
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/** The load generator process (`load.js`) on its own core. */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(cores = LOAD_CORES) {
    const [command, argv] = pinned(cores, [join(here, 'load.js')]);
    this.child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
    children.add(this.child);
    this.child.once('exit', (code) => {
      children.delete(this.child);
      for (const { reject } of this.pending.values()) reject(new Error(`the load generator exited with ${code}`));
      this.pending.clear();
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const result = JSON.parse(line) as LoadResult;
      const waiter = this.pending.get(result.id);
      this.pending.delete(result.id);
      if (result.error) waiter?.reject(new Error(result.error));
      else waiter?.resolve(result);
    });
  }

  run(command: Omit<LoadCommand, 'id'>): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(JSON.stringify({ ...command, id }) + '\n');
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}
