/**
 * argon2's own limit on this machine: `node .build/bench/argon2-limit.js <concurrency> <seconds>`
 * runs bare `argon2.verify` calls, `concurrency` at a time, on a hash made by nest-warden's hasher
 * at its defaults (the hash carries its parameters). Prints one JSON line: { verifiesPerSecond }.
 */
import 'reflect-metadata';
import * as argon2 from 'argon2';
import { Argon2PasswordHasher } from '../lib/index.js';
import { BENCH_PASSWORD } from './bench-config.js';

async function main(): Promise<void> {
  const [concurrency, seconds] = process.argv.slice(2).map(Number);
  const hash = await new Argon2PasswordHasher().hash(BENCH_PASSWORD);
  await argon2.verify(hash, BENCH_PASSWORD); // warm-up
  let done = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        if (!(await argon2.verify(hash, BENCH_PASSWORD))) throw new Error('argon2 refused the right password');
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ verifiesPerSecond: done / elapsed, parameters: hash.split('$')[3] }) + '\n');
}

void main();
