import { availableParallelism } from 'node:os';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';

/** How long a refused client should wait: a full queue drains in well under a second at OWASP cost. */
const RETRY_AFTER_SECONDS = 1;
const DEFAULT_MAX_QUEUE = 64;

export interface HashWorkLimits {
  /** Hashes running at once. */
  readonly concurrency: number;
  /** Hashes waiting for a slot; one more is refused at once with `AuthError('unavailable')`. */
  readonly maxQueue: number;
}

/**
 * The default number of argon2 computations at once: one per core but one, so that a login flood
 * leaves a core to the event loop, which serves every other request (with a hash on every core, an
 * authenticated GET kept about half its rate under a flood on two cores; with one core left, the
 * issue's 0.6 or more), and at most one less than libuv's thread pool (argon2 runs there, and so
 * do WebCrypto, `fs` and DNS, which must never wait behind a queue of hashes). At least 1. The
 * bounded queue is what keeps a flood from piling up work. `availableParallelism()` honours the
 * process's CPU affinity (a container limited to two cores gets 1).
 */
export function defaultHashConcurrency(cores = availableParallelism(), threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4): number {
  return Math.max(1, Math.min(cores - 1, threadPool - 1));
}

/** Reads `concurrency` / `maxQueue` from the `passwords` options, with defaults; bad values fail the boot. */
export function hashWorkLimits(options: { readonly concurrency?: number; readonly maxQueue?: number }): HashWorkLimits {
  const concurrency = options.concurrency ?? defaultHashConcurrency();
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw AuthConfigurationError.create(
      `passwords.concurrency must be a positive integer, got ${String(options.concurrency)}.`,
      `Leave it unset for the default (${defaultHashConcurrency()} on this machine).`,
    );
  }
  if (!Number.isSafeInteger(maxQueue) || maxQueue < 0) {
    throw AuthConfigurationError.create(
      `passwords.maxQueue must be a whole number, got ${String(options.maxQueue)}.`,
      `Leave it unset for the default (${DEFAULT_MAX_QUEUE}); 0 refuses every hash that cannot start at once.`,
    );
  }
  return { concurrency, maxQueue };
}

/**
 * Runs password hashing with bounded concurrency and a bounded queue. Beyond both, work is refused
 * at once with `AuthError('unavailable')` (503 + `Retry-After`): a login flood gets fast refusals
 * and costs no CPU, instead of queueing without end while every other route starves.
 */
export class HashWorkLimiter {
  private active = 0;
  /** Waiting starts, first in first out (at most `maxQueue` of them). */
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limits: HashWorkLimits) {}

  /** Hashes running now, and waiting. */
  get load(): { readonly active: number; readonly queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.limits.concurrency) return this.start(work);
    if (this.waiting.length >= this.limits.maxQueue) {
      return Promise.reject(
        new AuthError('unavailable', { description: 'Too many sign-ins in progress; try again shortly', retryAfterSeconds: RETRY_AFTER_SECONDS }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => this.start(work).then(resolve, reject));
    });
  }

  private async start<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.next();
    }
  }

  private next(): void {
    this.waiting.shift()?.();
  }
}
