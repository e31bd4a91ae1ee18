import { AuthError } from '../errors/auth.error.js';
import { defaultHashConcurrency, HashWorkLimiter, hashWorkLimits } from './hash-work-limiter.js';

/** Work the test finishes by hand, so "running" and "queued" are facts, not timings. */
function gate<T>() {
  let open!: (value: T) => void;
  const done = new Promise<T>((resolve) => (open = resolve));
  return { open, work: () => done };
}

describe('HashWorkLimiter', () => {
  it('runs up to `concurrency` at once, queues up to `maxQueue`, refuses the rest at once with 503-able AuthError', async () => {
    const limiter = new HashWorkLimiter({ concurrency: 2, maxQueue: 1 });
    const gates = [gate<number>(), gate<number>(), gate<number>()];
    const started: number[] = [];
    const results = gates.map((g, i) =>
      limiter.run(() => {
        started.push(i);
        return g.work();
      }),
    );
    expect(started).toEqual([0, 1]);
    expect(limiter.load).toEqual({ active: 2, queued: 1 });

    const refused = limiter.run(() => Promise.resolve(99));
    await expect(refused).rejects.toBeInstanceOf(AuthError);
    await expect(refused).rejects.toMatchObject({ code: 'unavailable', retryAfterSeconds: 1 });

    gates[0].open(0);
    await expect(results[0]).resolves.toBe(0);
    expect(started).toEqual([0, 1, 2]); // the queued one took the free slot
    expect(limiter.load).toEqual({ active: 2, queued: 0 });
    gates[1].open(1);
    gates[2].open(2);
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2]);
    expect(limiter.load).toEqual({ active: 0, queued: 0 });
  });

  it('frees the slot when the work fails, and passes the failure on', async () => {
    const limiter = new HashWorkLimiter({ concurrency: 1, maxQueue: 0 });
    await expect(limiter.run(() => Promise.reject(new Error('binding failed')))).rejects.toThrow('binding failed');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('serves the queue first in, first out', async () => {
    const limiter = new HashWorkLimiter({ concurrency: 1, maxQueue: 3 });
    const first = gate<void>();
    const order: string[] = [];
    const running = limiter.run(first.work);
    const queued = ['a', 'b', 'c'].map((name) => limiter.run(async () => void order.push(name)));
    first.open();
    await Promise.all([running, ...queued]);
    expect(order).toEqual(['a', 'b', 'c']);
  });
});

describe('hash work limits', () => {
  it('default to one hash per core but one (a core stays for the event loop), below the libuv pool (one thread stays free for WebCrypto, fs, DNS), at least one', () => {
    expect(defaultHashConcurrency(1, 4)).toBe(1);
    expect(defaultHashConcurrency(2, 4)).toBe(1);
    expect(defaultHashConcurrency(3, 4)).toBe(2);
    expect(defaultHashConcurrency(4, 4)).toBe(3);
    expect(defaultHashConcurrency(16, 4)).toBe(3);
    expect(defaultHashConcurrency(16, 16)).toBe(15);
    expect(defaultHashConcurrency(2, 1)).toBe(1);
    expect(hashWorkLimits({})).toEqual({ concurrency: defaultHashConcurrency(), maxQueue: 64 });
  });

  it('refuse nonsense at boot', () => {
    expect(() => hashWorkLimits({ concurrency: 0 })).toThrow(/passwords\.concurrency must be a positive integer/);
    expect(() => hashWorkLimits({ concurrency: 1.5 })).toThrow(/passwords\.concurrency/);
    expect(() => hashWorkLimits({ maxQueue: -1 })).toThrow(/passwords\.maxQueue must be a whole number/);
    expect(hashWorkLimits({ concurrency: 3, maxQueue: 0 })).toEqual({ concurrency: 3, maxQueue: 0 });
  });
});
