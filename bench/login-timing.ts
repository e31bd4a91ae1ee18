/**
 * Does a login cost the same whether the user exists or not? Measures `PasswordLogin.verify()`
 * (throttle → lookup → argon2id verify or dummy verify → record) at the default OWASP parameters
 * for unknown users, wrong passwords and right passwords, interleaved so that machine load hits
 * every case alike. Run: `npm run bench:timing` (RUNS=100 for more samples).
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthError, AuthModule, PasswordHasher, PasswordLogin, type UserAccount, UserDirectory } from '../lib/index.js';

@Injectable()
class BenchUsers extends UserDirectory {
  readonly accounts = new Map<string, UserAccount>();
  async findByUsername(username: string): Promise<UserAccount | null> {
    return this.accounts.get(username) ?? null;
  }
  async findById(id: string): Promise<UserAccount | null> {
    return [...this.accounts.values()].find((account) => account.id === id) ?? null;
  }
}

@Module({
  // Default (OWASP) argon2id parameters; lockout thresholds out of the way of repeated failures.
  imports: [AuthModule.forRoot({ global: false, lockout: { accountThreshold: 1e9, addressThreshold: 1e9 } })],
  providers: [BenchUsers, { provide: UserDirectory, useExisting: BenchUsers }],
})
class BenchModule {}

interface Case {
  readonly name: string;
  readonly username: string;
  readonly password: string;
  readonly samples: number[];
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (value: number) => value.toFixed(2).padStart(8);

async function main(): Promise<void> {
  const runs = Number(process.env.RUNS ?? 40);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const login = app.get(PasswordLogin);
  const users = app.get(BenchUsers);
  const hash = await app.get(PasswordHasher).hash('correct horse battery staple');
  console.log(`argon2id hash: ${hash.split('$').slice(0, 4).join('$')}$…`);
  users.accounts.set('alice', { id: 'u-alice', username: 'alice', passwordHash: hash });
  users.accounts.set('dave', { id: 'u-dave', username: 'dave', passwordHash: hash, disabled: true });

  const megabyte = 'x'.repeat(1024 * 1024);
  const cases: Case[] = [
    { name: 'unknown user', username: 'mallory', password: 'correct horse battery staple', samples: [] },
    { name: 'wrong password', username: 'alice', password: 'correct horse battery stapler', samples: [] },
    { name: 'right password', username: 'alice', password: 'correct horse battery staple', samples: [] },
    { name: 'disabled account', username: 'dave', password: 'correct horse battery staple', samples: [] },
    { name: '1 MB password, known user', username: 'alice', password: megabyte, samples: [] },
    { name: '1 MB password, unknown user', username: 'mallory', password: megabyte, samples: [] },
  ];

  const attempt = async (entry: Case) => {
    const started = process.hrtime.bigint();
    try {
      await login.verify({ username: entry.username, password: entry.password, clientAddress: '203.0.113.9' });
    } catch (error) {
      if (!(error instanceof AuthError) || error.code !== 'invalid_credentials') throw error;
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  };

  for (let i = 0; i < 3; i++) for (const entry of cases) await attempt(entry); // warm-up
  for (let i = 0; i < runs; i++) {
    // Rotate the order each round so no case always runs first.
    for (let j = 0; j < cases.length; j++) {
      const entry = cases[(i + j) % cases.length];
      entry.samples.push(await attempt(entry));
    }
  }
  await app.close();

  console.log(`\nPasswordLogin.verify() at default parameters, ${runs} runs per case (ms)\n`);
  console.log(`${'case'.padEnd(30)}${'median'.padStart(8)}${'p90'.padStart(8)}${'mean'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}`);
  const medians = new Map<string, number>();
  for (const entry of cases) {
    const sorted = [...entry.samples].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
    medians.set(entry.name, percentile(sorted, 50));
    console.log(
      `${entry.name.padEnd(30)}${ms(percentile(sorted, 50))}${ms(percentile(sorted, 90))}${ms(mean)}${ms(sorted[0])}${ms(sorted[sorted.length - 1])}`,
    );
  }
  const unknown = medians.get('unknown user')!;
  const wrong = medians.get('wrong password')!;
  const right = medians.get('right password')!;
  console.log(`\nmedian ratio unknown user / wrong password: ${(unknown / wrong).toFixed(3)}`);
  console.log(`median ratio right password / wrong password: ${(right / wrong).toFixed(3)}`);
  // Samples of one round ran back to back, so their difference cancels most of the machine's load drift.
  const paired = (a: string, b: string) => {
    const [first, second] = [a, b].map((name) => cases.find((entry) => entry.name === name)!.samples);
    const diffs = first.map((value, i) => value - second[i]).sort((x, y) => x - y);
    return `median ${percentile(diffs, 50).toFixed(2)} ms (p10 ${percentile(diffs, 10).toFixed(2)}, p90 ${percentile(diffs, 90).toFixed(2)})`;
  };
  console.log(`paired per-round difference unknown user − wrong password: ${paired('unknown user', 'wrong password')}`);
  console.log(`paired per-round difference right password − wrong password: ${paired('right password', 'wrong password')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
