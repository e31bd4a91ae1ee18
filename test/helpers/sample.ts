import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from '../../sample/app.module.js';
import { configureApp } from '../../sample/configure-app.js';
import { type AdapterName, createApp } from './create-app.js';

/** The sample's demo accounts (design.md, "The sample app"). */
export const SAMPLE_ALICE = { username: 'alice', password: 'alice-password' } as const;
export const SAMPLE_BOB = { username: 'bob', password: 'bob-password' } as const;

/** Boots the sample as `npm start` does (its modules plus helmet and Swagger), on either adapter. */
export function bootSample(adapter: AdapterName): Promise<INestApplication> {
  return createApp(adapter, { imports: [AppModule] }, { beforeInit: configureApp });
}

/**
 * Boots the sample with `PORT=port` (its issuer follows `PORT` unless `PUBLIC_URL` is set) and
 * listens on 127.0.0.1:port, as one instance of several behind a balancer.
 */
export async function startSample(adapter: AdapterName, port: number): Promise<INestApplication> {
  const saved = process.env.PORT;
  process.env.PORT = String(port);
  try {
    const app = await bootSample(adapter);
    await app.listen(port, '127.0.0.1');
    return app;
  } finally {
    if (saved === undefined) delete process.env.PORT;
    else process.env.PORT = saved;
  }
}

/** `POST /auth/token` with a form body. */
export function tokenRequest(app: INestApplication | string, form: string): request.Test {
  return request(typeof app === 'string' ? app : app.getHttpServer()).post('/auth/token').type('form').send(form);
}

/** A password grant that must succeed; the RFC 6749 §5.1 body. */
export async function signIn(
  app: INestApplication | string,
  user: { readonly username: string; readonly password: string },
): Promise<{ access_token: string; refresh_token: string; scope: string }> {
  const res = await tokenRequest(
    app,
    `grant_type=password&username=${user.username}&password=${encodeURIComponent(user.password)}`,
  );
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
