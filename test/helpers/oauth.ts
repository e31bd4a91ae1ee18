import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

/** `POST /auth/token` with a form body, as an OAuth2 client sends it. */
export function tokenRequest(app: INestApplication, form: Record<string, string>, basicAuth?: string) {
  const req = request(app.getHttpServer()).post('/auth/token').type('form').send(form);
  return basicAuth === undefined ? req : req.set('Authorization', `Basic ${basicAuth}`);
}

/** Signs in with the password grant and returns the token response body. */
export async function passwordGrant(
  app: INestApplication,
  username: string,
  password: string,
  scope?: string,
): Promise<{ access_token: string; refresh_token: string; scope: string; token_type: string; expires_in: number }> {
  const form: Record<string, string> = { grant_type: 'password', username, password };
  if (scope !== undefined) form.scope = scope;
  const res = await tokenRequest(app, form);
  if (res.status !== 200) throw new Error(`password grant for ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Decodes a JWT's header and payload without verifying (assertions only). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.').map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}
