import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import type { TestUser } from './users.js';

/** The `Set-Cookie` values of a response, always as a list. */
export function setCookies(res: Response): string[] {
  const value = res.headers['set-cookie'] as string[] | string | undefined;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export interface TestSession {
  /** `name=value`, ready for a `Cookie` header. */
  readonly cookie: string;
  readonly id: string;
  readonly csrf: string;
}

/** The session cookie a response sets (`name=value`). */
export function sessionFrom(res: Response, csrf: string, name = 'nw_session'): TestSession {
  const header = setCookies(res).find((c) => c.startsWith(`${name}=`));
  if (!header) throw new Error(`no ${name} cookie in ${JSON.stringify(res.headers)}`);
  const id = header.slice(name.length + 1, header.indexOf(';'));
  return { cookie: `${name}=${id}`, id, csrf };
}

/** Logs in through `POST /auth/session` and expects success. */
export async function loginAs(app: INestApplication, user: Pick<TestUser, 'username' | 'password'>, cookie?: string): Promise<TestSession> {
  const req = request(app.getHttpServer()).post('/auth/session');
  if (cookie) req.set('Cookie', cookie);
  const res = await req.send({ username: user.username, password: user.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return sessionFrom(res, res.body.csrfToken as string);
}
