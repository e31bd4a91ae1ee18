import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** The shared Redis for tests (`REDIS_URL`); give every run its own key prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A spare loopback port: bound by the OS, then released for the server to take. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A throwaway `redis-server` of our own on a spare loopback port, to kill, pause and restart in
 * outage tests (never the shared one). No persistence. `cluster: true` makes it a one-node Redis
 * Cluster owning all 16384 slots: it refuses cross-slot commands as a real cluster does.
 */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly cluster: boolean,
  ) {}

  static async start(options: { cluster?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), await mkdtemp(join(tmpdir(), 'nest-warden-redis-')), options.cluster ?? false);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port) and resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    if (this.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1');
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`redis-server exited (${String(code)}): ${output}`));
      child.once('exit', onExit);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.off('exit', onExit);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
    child.stdout!.resume();
    if (this.cluster) await this.assignAllSlots();
  }

  /** SIGKILL: the connection drops as in a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }

  /** SIGSTOP: connections stay open but nothing answers (a hung server or a black-holed network). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async assignAllSlots(): Promise<void> {
    const admin = new Redis(this.port, '127.0.0.1', { lazyConnect: true });
    try {
      await admin.connect();
      if (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_slots_assigned:16384')) {
        await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
      }
      // A fresh master waits about 2 s before it declares the cluster `ok`; bounded wait.
      for (let attempt = 0; attempt < 100; attempt++) {
        if (String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) return;
        await delay(50);
      }
      throw new Error('one-node Redis Cluster did not reach cluster_state:ok');
    } finally {
      admin.disconnect();
    }
  }
}
