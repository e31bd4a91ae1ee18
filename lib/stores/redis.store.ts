import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthStore, normalizeTtl, type StoreSubscriber, type StoreSubscription, StoreUnavailableError } from './auth-store.js';

/**
 * What `RedisStore` needs from a client: an ioredis `Redis` or `Cluster` fits as it is. Declared
 * here (not imported from ioredis) so that nest-warden's types and code never require ioredis
 * unless a `RedisStore` is actually used.
 */
export interface RedisStoreClient {
  readonly status: string;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  /**
   * A new connection with the same options (ioredis `duplicate()`, on `Redis` and `Cluster`). Used
   * for the one subscriber connection of `subscribe`; without it a client passed in cannot subscribe.
   */
  duplicate?(): unknown;
}

export interface RedisStoreOptions {
  /** An ioredis `Redis` or `Cluster` client you own; `RedisStore` never closes it. Give this or `url`. */
  readonly client?: RedisStoreClient;
  /**
   * `redis://` or `rediss://` URL. `RedisStore` then opens its own ioredis connection (lazily, on
   * the first command) and closes it on application shutdown or `close()`.
   */
  readonly url?: string;
  /**
   * Prepended to every key, so several apps can share one Redis. Default `nest-warden:`. Braces are
   * refused: a hash tag in the prefix would put every key on one Redis Cluster slot.
   */
  readonly keyPrefix?: string;
  /** A command without an answer after this long (plus at most a quarter of it) fails with `StoreUnavailableError`. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
}

/** A connection in one of these states cannot answer soon: fail at once instead of queueing. */
const DOWN = new Set(['reconnecting', 'close', 'end', 'disconnecting']);
/** Queueing is fine while the first connection is made; once Redis has answered, it means an outage. */
const RECONNECTING = 'connecting';

/** `INCR`, and `PEXPIRE` only when the counter was created (or somehow has no TTL): one atomic step. */
const INCREMENT = script(`
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count`);

/** ARGV: expectAbsent ('1'|'0'), expected, remove ('1'|'0'), next, ttlMs. */
const COMPARE_AND_SWAP = script(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
end
return 1`);

/** The Lua sources, for tests that check them (e.g. against Redis 7's strict cross-slot mode). */
export const REDIS_STORE_SCRIPTS: Readonly<Record<'increment' | 'compareAndSwap', string>> = {
  increment: INCREMENT.source,
  compareAndSwap: COMPARE_AND_SWAP.source,
};

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  const trimmed = source.trim();
  return { source: trimmed, sha: createHash('sha1').update(trimmed).digest('hex') };
}

/** A command waiting for its answer. */
interface Waiting {
  readonly deadline: number;
  readonly operation: string;
  readonly reject: (error: StoreUnavailableError) => void;
}

/** An ioredis client this store created, so it also listens to its connection events. */
interface OwnedClient extends RedisStoreClient {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
}

/** A connection that can enter subscriber mode (ioredis `Redis` or `Cluster`). */
interface SubscribingClient extends OwnedClient {
  subscribe(channel: string): Promise<unknown>;
}

type IoredisConstructor = new (url: string, options: Record<string, unknown>) => OwnedClient;

/**
 * State in Redis, shared by every instance of the app. Each operation is one command or one Lua
 * script on one key, so each is atomic and stays on one Redis Cluster slot.
 *
 * Fails closed and fast: while the connection is down, or when Redis does not answer within
 * `commandTimeoutMs`, operations reject with `StoreUnavailableError` (the guard answers 503)
 * instead of queueing; ioredis reconnects on its own and service resumes.
 *
 * @example
 * AuthModule.forRootAsync({ useFactory: () => ({ store: new RedisStore({ url: process.env.REDIS_URL }) }) })
 */
export class RedisStore extends AuthStore implements OnApplicationShutdown {
  /** The ioredis client in use (the one passed in, or the one this store opened). */
  readonly client: RedisStoreClient;
  readonly keyPrefix: string;
  private readonly owned: boolean;
  private readonly url: string | undefined;
  private readonly commandTimeoutMs: number;
  private readonly logger = new Logger('nest-warden');
  private closing: Promise<void> | undefined;
  /** Commands without an answer yet, and the one timer that fails them after `commandTimeoutMs`. */
  private readonly waiting = new Set<Waiting>();
  private sweeper: NodeJS.Timeout | undefined;
  private outageReported = false;
  /** Redis has answered at least once (so a connection attempt now is a reconnection). */
  private answered = false;

  constructor(options: RedisStoreOptions) {
    super();
    if (!options || (options.client === undefined) === (options.url === undefined)) {
      throw AuthConfigurationError.create(
        'RedisStore needs exactly one of `client` and `url`.',
        'Pass new RedisStore({ url: process.env.REDIS_URL }) or new RedisStore({ client: new Redis(...) }).',
      );
    }
    const keyPrefix = options.keyPrefix ?? 'nest-warden:';
    if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) {
      throw AuthConfigurationError.create(
        `RedisStore keyPrefix ${JSON.stringify(keyPrefix)} contains a brace.`,
        'Drop the braces: a hash tag in the prefix would put every key on one Redis Cluster slot.',
      );
    }
    const timeout = options.commandTimeoutMs ?? 1000;
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw AuthConfigurationError.create(
        `RedisStore commandTimeoutMs must be a positive number, got ${String(timeout)}.`,
        'Pass e.g. { commandTimeoutMs: 1000 }.',
      );
    }
    this.keyPrefix = keyPrefix;
    this.commandTimeoutMs = timeout;
    this.owned = options.client === undefined;
    this.url = options.url;
    this.client = options.client ?? this.connect(options.url as string);
  }

  async get(key: string): Promise<string | null> {
    return (await this.run('get', (client) => client.call('GET', this.keyPrefix + key))) as string | null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const ttl = normalizeTtl(ttlMs);
    await this.run('set', (client) => client.call('SET', this.keyPrefix + key, value, 'PX', ttl));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = normalizeTtl(ttlMs);
    const reply = await this.run('setIfAbsent', (client) => client.call('SET', this.keyPrefix + key, value, 'PX', ttl, 'NX'));
    return reply === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return Number(await this.run('delete', (client) => client.call('DEL', this.keyPrefix + key))) > 0;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const ttl = normalizeTtl(ttlMs);
    return Number(await this.run('increment', (client) => this.eval(client, INCREMENT, key, [ttl])));
  }

  async compareAndSwap(key: string, expected: string | null, next: string | null, ttlMs: number): Promise<boolean> {
    const ttl = normalizeTtl(ttlMs);
    const args = [expected === null ? '1' : '0', expected ?? '', next === null ? '1' : '0', next ?? '', ttl];
    return Number(await this.run('compareAndSwap', (client) => this.eval(client, COMPARE_AND_SWAP, key, args))) === 1;
  }

  /** `PTTL`: `null` when the key does not exist; `Infinity` for a key without expiry (never written by this store). */
  async ttl(key: string): Promise<number | null> {
    const reply = Number(await this.run('ttl', (client) => client.call('PTTL', this.keyPrefix + key)));
    if (reply === -2) return null;
    return reply === -1 ? Infinity : reply;
  }

  /** `PUBLISH` on `keyPrefix + channel`, so apps sharing one Redis under different prefixes do not hear each other. */
  override async publish(channel: string, message: string): Promise<void> {
    await this.run('publish', (client) => client.call('PUBLISH', this.keyPrefix + channel, message));
  }

  /**
   * Subscribes on a connection of its own (a subscribing connection can send nothing else): opened
   * from the URL, or `duplicate()` of the client passed in. Any sign that the connection dropped
   * (`close`, `reconnecting`, `end`; on a Cluster, a node leaving) calls `subscriber.interrupted()`.
   */
  override async subscribe(channel: string, subscriber: StoreSubscriber): Promise<StoreSubscription | undefined> {
    const connection = (this.owned ? this.connect(this.url as string, false) : this.client.duplicate?.()) as SubscribingClient | undefined;
    if (connection === undefined || typeof connection.on !== 'function' || typeof connection.subscribe !== 'function') return undefined;
    const name = this.keyPrefix + channel;
    connection.on('message', (from: string, message: string) => {
      if (from === name) subscriber.message(message);
    });
    for (const event of ['close', 'reconnecting', 'end', '-node']) connection.on(event, () => subscriber.interrupted());
    connection.on('error', () => undefined);
    let closed: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closed ??= Promise.resolve(connection.quit()).then(
        () => undefined,
        () => connection.disconnect(),
      );
      return closed;
    };
    try {
      await this.withTimeout('subscribe', connection.subscribe(name));
    } catch (error) {
      connection.disconnect();
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError('RedisStore: subscribe failed', { cause: error });
    }
    return { close };
  }

  /** Closes the connection this store opened from a URL; a client passed in stays open. Idempotent. */
  override close(): Promise<void> {
    this.closing ??= this.owned ? this.quit() : Promise.resolve();
    return this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Runs one command, failing fast with `StoreUnavailableError` when Redis cannot answer. */
  private async run(operation: string, command: (client: RedisStoreClient) => Promise<unknown>): Promise<unknown> {
    const status = this.client.status;
    if (DOWN.has(status) || (status === RECONNECTING && this.answered)) {
      throw new StoreUnavailableError(`RedisStore: ${operation} refused, Redis is not connected (${status})`);
    }
    try {
      const reply = await this.withTimeout(operation, command(this.client));
      this.answered = true;
      return reply;
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`RedisStore: ${operation} failed: ${reason}`, { cause: error });
    }
  }

  /**
   * Fails a command that has no answer after `commandTimeoutMs` (plus at most a quarter of it).
   * One timer sweeps every waiting command: a timer per command cost more than the command
   * itself (every request asks the deny list).
   */
  private withTimeout<T>(operation: string, promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = { deadline: performance.now() + this.commandTimeoutMs, operation, reject };
      this.waiting.add(waiting);
      this.sweeper ??= setInterval(() => this.sweep(), Math.max(10, Math.min(250, this.commandTimeoutMs / 4))).unref();
      promise.then(
        (reply) => {
          this.waiting.delete(waiting);
          resolve(reply);
        },
        (error: unknown) => {
          this.waiting.delete(waiting);
          reject(error);
        },
      );
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (const waiting of this.waiting) {
      if (waiting.deadline > now) continue;
      this.waiting.delete(waiting);
      waiting.reject(new StoreUnavailableError(`RedisStore: ${waiting.operation} got no answer within ${this.commandTimeoutMs} ms`));
    }
    if (this.waiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** `EVALSHA`, falling back to `EVAL` the first time a node has not cached the script. */
  private async eval(client: RedisStoreClient, lua: Script, key: string, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.call('EVALSHA', lua.sha, 1, this.keyPrefix + key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.call('EVAL', lua.source, 1, this.keyPrefix + key, ...args);
    }
  }

  private connect(url: string, reportOutages = true): OwnedClient {
    if (typeof url !== 'string' || url === '') {
      throw AuthConfigurationError.create('RedisStore url is empty.', 'Pass e.g. { url: "redis://127.0.0.1:6379" }.');
    }
    const client = new (loadIoredis())(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: Math.max(1000, this.commandTimeoutMs),
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
      // On close, a socket that already died would otherwise hold the process for 2 s.
      disconnectTimeout: 200,
      // Commands issued in the same tick (every request asks the deny list) go out in one write.
      enableAutoPipelining: true,
    });
    if (!reportOutages) return client;
    let lastError = 'connection closed';
    client.on('error', (error: Error) => (lastError = error.message));
    client.on('reconnecting', () => {
      if (this.outageReported) return;
      this.outageReported = true;
      this.logger.error(`RedisStore: Redis is unreachable (${lastError}); requests that need state answer 503 until it returns`);
    });
    client.on('ready', () => {
      lastError = 'connection closed';
      if (!this.outageReported) return;
      this.outageReported = false;
      this.logger.log('RedisStore: Redis is reachable again');
    });
    return client;
  }

  /** `QUIT` when connected (pending replies arrive first), then waits, briefly, for the socket to end. */
  private async quit(): Promise<void> {
    const client = this.client as OwnedClient;
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    try {
      await client.quit();
      await this.withTimeout('close', ended);
    } catch {
      client.disconnect();
    }
  }
}

/** ioredis is an optional peer dependency: loaded only when a `RedisStore` opens its own connection. */
function loadIoredis(): IoredisConstructor {
  try {
    const ioredis = createRequire(import.meta.url)('ioredis') as { Redis: IoredisConstructor };
    return ioredis.Redis;
  } catch (cause) {
    throw new AuthConfigurationError(
      'nest-warden: RedisStore({ url }) needs the ioredis package. Install it (npm install ioredis) or pass a client.',
      { cause },
    );
  }
}
