/**
 * How long a revocation takes to reach other instances (issue #20: p99 ≤ 100 ms with two).
 *
 * Two `warden-redis` servers (separate processes, one Redis, one key prefix: two instances behind
 * a balancer) and, in this process, a third instance of the same module that revokes. Per trial: a
 * new token (issued after the servers' revocation mirrors went live, as in production), one request
 * on each server (200, and now in their verified-token caches), then the revocation, and both
 * servers polled until they answer 401. Reports the delay per server, median, p99 and max.
 *
 *   npm run bench:revocation            (TRIALS=50 for a shorter run)
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { AccessTokenDenyList } from '../lib/tokens/issuance/access-token-deny-list.js';
import { MIRROR_TRUST_MARGIN_MS } from '../lib/tokens/issuance/revocation-mirror.js';
import { signTokens } from './sign-tokens.js';
import { startServer, stopAll } from './processes.js';
import { percentile } from './stats.js';
import { variantModule, variantNamed } from './variants.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const trials = Number(process.env.TRIALS ?? (process.env.BENCH_QUICK === '1' ? 20 : 200));
  const prefix = `bench:revocation:${randomBytes(6).toString('hex')}:`;
  const env = { BENCH_REDIS_URL: REDIS_URL, BENCH_REDIS_PREFIX: prefix };
  const servers = await Promise.all(['fastify', 'express'].map((adapter, i) => startServer(`instance-${i + 1}`, [adapter, 'warden-redis'], env, '0')));
  @Module(variantModule(variantNamed('warden-redis'), { eddsaPublicPem: '', redisUrl: REDIS_URL, redisKeyPrefix: prefix }))
  class RevokingInstance {}
  const revoker = await NestFactory.createApplicationContext(RevokingInstance, { logger: ['error'] });
  await revoker.init();
  const denyList = revoker.get(AccessTokenDenyList);
  await delay(MIRROR_TRUST_MARGIN_MS + 1000);

  const status = async (port: number, token: string) =>
    (await fetch(`http://127.0.0.1:${port}/item`, { headers: { authorization: `Bearer ${token}` } })).status;
  const delays: number[] = [];
  const warmUp = 5;
  try {
    for (let trial = -warmUp; trial < trials; trial++) {
      const [token] = await signTokens('HS256', 1, { from: 1_000_000 + warmUp + trial });
      for (const server of servers) if ((await status(server.port, token)) !== 200) throw new Error(`${server.name} refused a valid token`);
      const { jti, exp, sub } = decodeJwt(token);
      const start = performance.now();
      await denyList.denyToken(sub!, jti!, exp! * 1000);
      await Promise.all(
        servers.map(async (server) => {
          while ((await status(server.port, token)) !== 401) {
            if (performance.now() - start > 10_000) throw new Error(`${server.name} still accepts a revoked token after 10 s`);
          }
          if (trial >= 0) delays.push(performance.now() - start);
        }),
      );
    }
  } finally {
    await revoker.close();
    await stopAll();
  }
  delays.sort((x, y) => x - y);
  const result = {
    trials,
    instances: servers.length,
    medianMs: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    maxMs: delays[delays.length - 1],
  };
  console.log(`revocation visible on ${result.instances} instances over ${trials} trials: median ${result.medianMs.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms`);
  console.log(`RESULT ${JSON.stringify(result)}`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
