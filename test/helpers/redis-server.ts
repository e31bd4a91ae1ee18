// redis-server processes for the tests: a throwaway server to kill, pause and restart, and a
// three-master Redis Cluster. This file imports nothing relative (Node loads it natively as Jest's
// globalSetup, see its default export), only Node built-ins and ioredis.
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

/** `host:port,host:port,...` of the Redis Cluster the test run shares (set by the globalSetup below). */
export const REDIS_CLUSTER_NODES_ENV = 'REDIS_CLUSTER_NODES';

export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

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

/** Spare loopback ports, all different. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

interface ClusterNodeOptions {
  /** The cluster bus port (default: port + 10000, which a spare port above 55535 cannot have). */
  readonly busPort: number;
  /** How long a node may be unreachable before the others mark it failed. */
  readonly nodeTimeoutMs: number;
}

/**
 * A throwaway `redis-server` of our own on a spare loopback port, to kill, pause and restart in
 * outage tests (never the shared one). No persistence; a cluster node keeps its `nodes.conf` in
 * its own directory, so after a restart on the same port it is the same node with the same slots.
 */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly clusterNode: ClusterNodeOptions | undefined,
  ) {}

  static async start(): Promise<RedisServer> {
    return RedisServer.launch(await freePort(), undefined);
  }

  /** A cluster-enabled server that owns no slots yet (see `RedisCluster`). */
  static async startClusterNode(port: number, options: ClusterNodeOptions): Promise<RedisServer> {
    return RedisServer.launch(port, options);
  }

  private static async launch(port: number, clusterNode: ClusterNodeOptions | undefined): Promise<RedisServer> {
    const server = new RedisServer(port, await mkdtemp(join(tmpdir(), 'nest-warden-redis-')), clusterNode);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The cluster bus port of a cluster node. */
  get busPort(): number | undefined {
    return this.clusterNode?.busPort;
  }

  /** Starts the server (again, on the same port) and resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    if (this.clusterNode) {
      args.push(
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1'],
        ...['--cluster-port', String(this.clusterNode.busPort), '--cluster-node-timeout', String(this.clusterNode.nodeTimeoutMs)],
      );
    }
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`redis-server exited (${String(code)}): ${output}`));
      const onError = (error: Error) => reject(new Error(`Could not start redis-server (${error.message}): install it (apt-get install redis-server)`));
      child.once('exit', onExit);
      child.once('error', onError);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.off('exit', onExit);
          child.off('error', onError);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    }).catch((error: unknown) => {
      this.child = undefined;
      throw error;
    });
    child.stdout!.resume();
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

  /** SIGKILL without waiting, for `process.on('exit')` (nothing asynchronous runs there). */
  killNow(): void {
    this.child?.kill('SIGKILL');
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
}

const SLOTS = 16_384;

/**
 * A real Redis Cluster on loopback: `masters` redis-servers (no replicas), the 16384 slots split
 * between them. It refuses cross-slot commands and redirects keys to their owners, as a production
 * cluster does. Killing a master leaves its slots unserved: after `nodeTimeoutMs` the others mark it
 * failed and the whole cluster refuses commands (`cluster_state:fail`) until it is back.
 */
export class RedisCluster {
  /** If the process ends before `stop()` (a crashed worker, Jest dying before its teardown), the masters die with it. */
  private readonly killOnExit = () => this.killNow();

  private constructor(readonly servers: readonly RedisServer[]) {
    process.once('exit', this.killOnExit);
  }

  /** `nodeTimeoutMs` (default 1000): how long a master may be unreachable before the others declare it failed. */
  static async start(options: { masters?: number; nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
    const ports = await freePorts(masters * 2);
    const started = await Promise.allSettled(
      Array.from({ length: masters }, (_, i) => RedisServer.startClusterNode(ports[i], { busPort: ports[masters + i], nodeTimeoutMs })),
    );
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const cluster = new RedisCluster(servers);
    try {
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      await cluster.create();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get nodes(): ClusterNodeAddress[] {
    return this.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  }

  /** For `REDIS_CLUSTER_NODES`: `127.0.0.1:7001,127.0.0.1:7002,...`. */
  get spec(): string {
    return this.nodes.map((node) => `${node.host}:${node.port}`).join(',');
  }

  /** The port of the master that serves `key`. */
  async masterOf(key: string): Promise<number> {
    return this.withNode(this.servers[0], async (admin) => {
      const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', key));
      const ranges = (await admin.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
      const owner = ranges.find(([first, last]) => slot >= first && slot <= last);
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      return Number(owner[2][1]);
    });
  }

  /** SIGKILL on the master listening on `port`. */
  async kill(port: number): Promise<void> {
    await this.server(port).kill();
  }

  /** Starts the master on `port` again (same port, same node) and waits until the cluster is `ok`. */
  async restart(port: number): Promise<void> {
    await this.server(port).restart();
    await this.waitForState('ok');
  }

  /** Resolves once every running master (or the ones on `ports`) reports `cluster_state:<state>`. */
  async waitForState(state: 'ok' | 'fail', ports: readonly number[] = this.servers.map((server) => server.port)): Promise<void> {
    for (const port of ports) {
      await this.withNode(this.server(port), async (admin) => {
        for (let attempt = 0; attempt < 400; attempt++) {
          if (String(await admin.call('CLUSTER', 'INFO')).includes(`cluster_state:${state}\r\n`)) return;
          await delay(25);
        }
        throw new Error(`Redis Cluster node ${port} did not reach cluster_state:${state} within 10 s`);
      });
    }
  }

  /** Kills every master and removes their directories. Idempotent. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** SIGKILL to every master without waiting (for `process.on('exit')`). */
  killNow(): void {
    for (const server of this.servers) server.killNow();
  }

  /**
   * What `redis-cli --cluster create` does, without its fixed one-second waits: each master gets
   * its range of slots and its own config epoch, then they meet. A fresh master reports `ok` only
   * about 2 s after it started (Redis's rejoin delay), so this takes a little over 2 s.
   */
  private async create(): Promise<void> {
    const count = this.servers.length;
    await Promise.all(
      this.servers.map((server, i) =>
        this.withNode(server, async (admin) => {
          const first = Math.floor((SLOTS * i) / count);
          const last = Math.floor((SLOTS * (i + 1)) / count) - 1;
          await admin.call('CLUSTER', 'ADDSLOTSRANGE', first, last);
          await admin.call('CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
        }),
      ),
    );
    await this.withNode(this.servers[0], async (admin) => {
      for (const other of this.servers.slice(1)) await admin.call('CLUSTER', 'MEET', '127.0.0.1', other.port, other.busPort ?? other.port + 10_000);
    });
    await this.waitForState('ok');
  }

  private server(port: number): RedisServer {
    const server = this.servers.find((candidate) => candidate.port === port);
    if (!server) throw new Error(`no master of this cluster listens on ${port}`);
    return server;
  }

  private async withNode<T>(server: RedisServer, work: (admin: Redis) => Promise<T>): Promise<T> {
    const admin = new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => {});
    try {
      await admin.connect();
      return await work(admin);
    } finally {
      admin.disconnect();
    }
  }
}

/** The nodes of the Redis Cluster this test run shares (started by the globalSetup below). */
export function sharedClusterNodes(): ClusterNodeAddress[] {
  const spec = process.env[REDIS_CLUSTER_NODES_ENV];
  if (!spec) throw new Error(`${REDIS_CLUSTER_NODES_ENV} is not set: run the tests through Jest's config (its globalSetup starts the cluster)`);
  return spec.split(',').map((address) => {
    const [host, port] = address.trim().split(':');
    return { host, port: Number(port) };
  });
}

/** Where the globalSetup leaves the cluster for the globalTeardown (the same process). */
export const SHARED_CLUSTER = Symbol.for('nest-warden:test:redis-cluster');

/**
 * Jest's globalSetup: one three-master Redis Cluster for the whole run (about 2 s, once), for the
 * suites that run against Redis Cluster; its nodes are in `REDIS_CLUSTER_NODES` for every worker.
 * With `REDIS_CLUSTER_NODES` already set, that cluster is used and nothing is started.
 * `test/jest/redis-cluster.teardown.ts` stops it, also after failed tests.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env[REDIS_CLUSTER_NODES_ENV]) return;
  // Redis's default node timeout: a master starved of CPU for a while on a busy 2-core machine is
  // not declared failed (that would take the whole shared cluster down for every suite).
  const cluster = await RedisCluster.start({ nodeTimeoutMs: 15_000 });
  (globalThis as Record<symbol, unknown>)[SHARED_CLUSTER] = cluster;
  process.env[REDIS_CLUSTER_NODES_ENV] = cluster.spec;
}
