import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where `npm pack` runs). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The throwaway apps' sources: `test/consumer-apps/<name>/`, each a complete app of its own. */
export const CONSUMER_APPS_DIR = join(REPO_ROOT, 'test', 'consumer-apps');

/** Output kept per command for error messages: enough to see the failure, not the whole install log. */
const OUTPUT_TAIL = 6000;

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

/**
 * The environment for commands run in a consumer app: ours without what `npm test` and Jest put in
 * it (`npm_*` settings of this package, `NODE_ENV=test`, Jest's worker id), as in a fresh shell.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || name === 'NODE_ENV' || name === 'JEST_WORKER_ID' || name === 'INIT_CWD') continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to its end (killing its process group after `timeoutMs`); throws with its output unless it exits 0. */
export async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { timeoutMs?: number; env?: Record<string, string>; keepOutput?: number } = {},
): Promise<RunResult> {
  const keep = options.keepOutput ?? OUTPUT_TAIL;
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-keep);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const timer = setTimeout(() => killGroup(child), options.timeoutMs ?? 120_000);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) {
      throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited with ${String(code)} after ${seconds.toFixed(1)} s:\n${output}`);
    }
    return { code, output, seconds };
  } finally {
    clearTimeout(timer);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A compiled app started with `node`, until `stop()`. */
export class RunningApp {
  private output = '';

  private constructor(private readonly child: ChildProcess) {}

  /** Starts `node <entry>` in `cwd` and resolves once it prints `Listening on <url>`. */
  static async start(cwd: string, entry: string, env: Record<string, string>, timeoutMs = 30_000): Promise<RunningApp> {
    const child = spawn(process.execPath, [entry], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const app = new RunningApp(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the app did not start within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        killGroup(child);
        reject(new Error(`${error.message}; its output:\n${app.output.slice(-OUTPUT_TAIL)}`));
      };
      const onData = (chunk: Buffer) => {
        app.output += chunk.toString('utf8');
        if (/Listening on \S+/.test(app.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => fail(new Error(`the app exited with ${String(code)} before listening`)));
    });
    return app;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(this.child), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A temporary directory holding the packed library (`nest-warden.tgz`, as `npm pack` makes it for
 * the registry, `prepack` build included) and a copy of each consumer app, each installed from
 * the registry with that tarball: what a user installs.
 */
export class ConsumerWorkspace {
  readonly timings: Record<string, number> = {};

  private constructor(readonly dir: string) {}

  static async create(): Promise<ConsumerWorkspace> {
    return new ConsumerWorkspace(await mkdtemp(join(tmpdir(), 'nest-warden-consumers-')));
  }

  appDir(name: string): string {
    return join(this.dir, name);
  }

  /** `npm pack` (its `prepack` script builds dist/ afresh) into the workspace, as `nest-warden.tgz`. */
  async pack(): Promise<void> {
    const { seconds } = await run('npm', ['pack', '--pack-destination', this.dir, '--silent'], REPO_ROOT, { timeoutMs: 180_000 });
    this.timings.pack = seconds;
    const tarballs = (await readdir(this.dir)).filter((name) => name.endsWith('.tgz'));
    if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${this.dir}: ${tarballs.join(', ')}`);
    await rename(join(this.dir, tarballs[0]), join(this.dir, 'nest-warden.tgz'));
  }

  /** Copies `test/consumer-apps/<name>` and installs its dependencies (one shared npm cache, offline first). */
  async install(name: string): Promise<void> {
    await cp(join(CONSUMER_APPS_DIR, name), this.appDir(name), { recursive: true });
    const { seconds } = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], this.appDir(name), {
      timeoutMs: 300_000,
    });
    this.timings[`install ${name}`] = seconds;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
