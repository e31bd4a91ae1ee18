import assert from 'node:assert/strict';
import type { AuthStore } from './auth-store.js';

/** One store under test, with no keys of its own yet (a fresh instance, or a fresh key prefix). */
export interface StoreContractSubject {
  readonly store: AuthStore;
  /** A second handle on the same state (another connection); the store itself when there is none. */
  readonly peer: AuthStore;
  /**
   * Moves the store's clock forward. Stores whose clock is a server's (Redis) have none: their
   * expiry is checked through `ttl`, and the cases marked `needsClock` do not apply.
   */
  readonly advance?: (ms: number) => void;
}

export interface StoreContractCase {
  readonly name: string;
  /** Only for subjects with `advance`. */
  readonly needsClock?: boolean;
  run(subject: StoreContractSubject): Promise<void>;
}

const MINUTE = 60_000;
const BAD_TTLS = [0, -1, Number.NaN, Number.POSITIVE_INFINITY];

async function assertTtlWithin(store: AuthStore, key: string, maxMs: number): Promise<void> {
  const ttl = await store.ttl(key);
  assert.ok(ttl !== null && ttl > 0 && ttl <= maxMs, `ttl(${key}) = ${String(ttl)}, expected within (0, ${maxMs}]`);
}

/** Of `results`, exactly one is `true`. */
function assertOneWinner(results: readonly boolean[]): number {
  const winners = results.flatMap((won, i) => (won ? [i] : []));
  assert.equal(winners.length, 1, `expected exactly one winner, got ${winners.length}`);
  return winners[0];
}

/**
 * The behaviour every `AuthStore` must have, as test-runner-neutral cases (they throw
 * `AssertionError`). Run them with your runner, e.g. in Jest:
 * `for (const c of STORE_CONTRACT) it(c.name, async () => c.run(await makeSubject()))`.
 */
export const STORE_CONTRACT: readonly StoreContractCase[] = [
  {
    name: 'get answers null for a missing key',
    async run({ store }) {
      assert.equal(await store.get('missing'), null);
    },
  },
  {
    name: 'set then get returns the value; a second set replaces value and TTL',
    async run({ store, peer }) {
      await store.set('k', 'a', MINUTE);
      assert.equal(await peer.get('k'), 'a');
      await store.set('k', 'b', 2 * MINUTE);
      assert.equal(await store.get('k'), 'b');
      const ttl = await store.ttl('k');
      assert.ok(ttl !== null && ttl > MINUTE && ttl <= 2 * MINUTE, `ttl ${String(ttl)} was not replaced`);
    },
  },
  {
    name: 'values round-trip unchanged: empty, unicode, JSON, control characters, 64 KiB',
    async run({ store }) {
      const values = ['', 'ünïcødé ✓ 🔐', JSON.stringify({ family: 'f1', n: 2, nested: { a: [1, null] } }), 'a\r\nb\0c', 'x'.repeat(65_536)];
      for (const [i, value] of values.entries()) await store.set(`v${i}`, value, MINUTE);
      for (const [i, value] of values.entries()) assert.equal(await store.get(`v${i}`), value);
    },
  },
  {
    name: 'keys may hold any characters: spaces, unicode, colons, braces, glob patterns',
    async run({ store }) {
      const keys = ['a b', 'ключ:🔑', 'rt:{family}:current', 'x}{y', 'login:*?[abc]', ''];
      for (const [i, key] of keys.entries()) await store.set(key, `value-${i}`, MINUTE);
      for (const [i, key] of keys.entries()) assert.equal(await store.get(key), `value-${i}`);
      assert.equal(await store.get('login:x'), null);
    },
  },
  {
    name: 'every write needs a positive, finite TTL (RangeError, nothing written)',
    async run({ store }) {
      for (const ttl of BAD_TTLS) {
        await assert.rejects(store.set('k', 'v', ttl), RangeError);
        await assert.rejects(store.setIfAbsent('k', 'v', ttl), RangeError);
        await assert.rejects(store.increment('k', ttl), RangeError);
        await assert.rejects(store.compareAndSwap('k', null, 'v', ttl), RangeError);
      }
      assert.equal(await store.get('k'), null);
    },
  },
  {
    name: 'ttl: null for a missing key, else the milliseconds left (fractions rounded up)',
    async run({ store }) {
      assert.equal(await store.ttl('missing'), null);
      await store.set('k', 'v', MINUTE);
      await assertTtlWithin(store, 'k', MINUTE);
      await store.set('f', 'v', 1500.2);
      await assertTtlWithin(store, 'f', 1501);
    },
  },
  {
    name: 'entries carry the TTL they were written with',
    async run({ store }) {
      await store.set('a', 'v', 1000);
      await store.setIfAbsent('b', 'v', 2000);
      await store.increment('c', 3000);
      await store.compareAndSwap('d', null, 'v', 4000);
      for (const [key, ttl] of [['a', 1000], ['b', 2000], ['c', 3000], ['d', 4000]] as const) {
        await assertTtlWithin(store, key, ttl);
      }
    },
  },
  {
    name: 'entries expire when their TTL has passed, and an expired key is absent to every operation',
    needsClock: true,
    async run({ store, advance }) {
      await store.set('k', 'v', 1000);
      await store.set('n', '7', 1000);
      advance!(999);
      assert.equal(await store.get('k'), 'v');
      assert.equal(await store.ttl('k'), 1);
      advance!(1);
      assert.equal(await store.get('k'), null);
      assert.equal(await store.ttl('k'), null);
      assert.equal(await store.delete('k'), false);
      assert.equal(await store.setIfAbsent('k', 'w', 1000), true);
      assert.equal(await store.compareAndSwap('n', null, 'x', 1000), true);
      advance!(1000);
      assert.equal(await store.increment('n', 1000), 1);
    },
  },
  {
    name: 'setIfAbsent writes only when the key is absent',
    async run({ store, peer }) {
      assert.equal(await store.setIfAbsent('k', 'first', MINUTE), true);
      assert.equal(await peer.setIfAbsent('k', 'second', 2 * MINUTE), false);
      assert.equal(await store.get('k'), 'first');
      await assertTtlWithin(store, 'k', MINUTE);
      await store.delete('k');
      assert.equal(await store.setIfAbsent('k', 'third', MINUTE), true);
      assert.equal(await store.get('k'), 'third');
    },
  },
  {
    name: 'delete answers whether a key was removed',
    async run({ store, peer }) {
      assert.equal(await store.delete('k'), false);
      await store.set('k', 'v', MINUTE);
      assert.equal(await peer.delete('k'), true);
      assert.equal(await store.get('k'), null);
      assert.equal(await store.delete('k'), false);
    },
  },
  {
    name: 'increment counts from 1; the TTL starts when the counter is created and later increments keep it',
    async run({ store, peer }) {
      assert.equal(await store.increment('c', 1000), 1);
      assert.equal(await peer.increment('c', 10 * MINUTE), 2);
      assert.equal(await store.increment('c', 10 * MINUTE), 3);
      assert.equal(await store.get('c'), '3');
      await assertTtlWithin(store, 'c', 1000);
    },
  },
  {
    name: 'increment starts a new window once the counter expired',
    needsClock: true,
    async run({ store, advance }) {
      assert.equal(await store.increment('c', 1000), 1);
      advance!(600);
      assert.equal(await store.increment('c', 1000), 2);
      advance!(400);
      assert.equal(await store.increment('c', 1000), 1);
      assert.equal(await store.ttl('c'), 1000);
    },
  },
  {
    name: 'increment on a key holding a non-integer value rejects and leaves it alone',
    async run({ store }) {
      await store.set('k', 'abc', MINUTE);
      await assert.rejects(store.increment('k', MINUTE));
      assert.equal(await store.get('k'), 'abc');
    },
  },
  {
    name: 'compareAndSwap from absent (expected null) creates the key with its TTL, once',
    async run({ store, peer }) {
      assert.equal(await store.compareAndSwap('k', null, 'v1', MINUTE), true);
      assert.equal(await peer.get('k'), 'v1');
      await assertTtlWithin(store, 'k', MINUTE);
      assert.equal(await peer.compareAndSwap('k', null, 'v2', MINUTE), false);
      assert.equal(await store.get('k'), 'v1');
    },
  },
  {
    name: 'compareAndSwap replaces only the expected value, with the new TTL',
    async run({ store }) {
      await store.set('k', 'v1', 10 * MINUTE);
      assert.equal(await store.compareAndSwap('k', 'v0', 'v2', MINUTE), false);
      assert.equal(await store.get('k'), 'v1');
      assert.equal(await store.compareAndSwap('k', 'v1', 'v2', MINUTE), true);
      assert.equal(await store.get('k'), 'v2');
      await assertTtlWithin(store, 'k', MINUTE);
    },
  },
  {
    name: 'compareAndSwap to null deletes the key; from null to null on an absent key is a successful no-op',
    async run({ store }) {
      await store.set('k', 'v1', MINUTE);
      assert.equal(await store.compareAndSwap('k', 'v1', null, MINUTE), true);
      assert.equal(await store.get('k'), null);
      assert.equal(await store.ttl('k'), null);
      assert.equal(await store.compareAndSwap('k', 'v1', null, MINUTE), false);
      assert.equal(await store.compareAndSwap('k', null, null, MINUTE), true);
      assert.equal(await store.get('k'), null);
    },
  },
  {
    name: 'an empty string is a value, not an absent key',
    async run({ store }) {
      await store.set('k', '', MINUTE);
      assert.equal(await store.get('k'), '');
      assert.equal(await store.setIfAbsent('k', 'x', MINUTE), false);
      assert.equal(await store.compareAndSwap('k', null, 'x', MINUTE), false);
      assert.equal(await store.compareAndSwap('k', '', 'x', MINUTE), true);
      assert.equal(await store.get('k'), 'x');
    },
  },
  {
    name: 'concurrency: 100 parallel increments from two handles count exactly 1..100',
    async run({ store, peer }) {
      const counts = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? peer : store).increment('c', MINUTE)));
      assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1));
      assert.equal(await store.get('c'), '100');
    },
  },
  {
    name: 'concurrency: of 10 parallel compareAndSwaps from one value, exactly one wins (refresh rotation)',
    async run({ store, peer }) {
      await store.set('family', 'token-0', MINUTE);
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? peer : store).compareAndSwap('family', `token-${round}`, `token-${round + 1}-${i}`, MINUTE)),
        );
        const winner = assertOneWinner(results);
        assert.equal(await store.get('family'), `token-${round + 1}-${winner}`);
        await store.set('family', `token-${round + 1}`, MINUTE);
      }
    },
  },
  {
    name: 'concurrency: of 10 parallel setIfAbsents, exactly one wins',
    async run({ store, peer }) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? peer : store).setIfAbsent('once', `v${i}`, MINUTE)));
      const winner = assertOneWinner(results);
      assert.equal(await store.get('once'), `v${winner}`);
    },
  },
];
