import type { INestApplication } from '@nestjs/common';
import { generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { policiesTestModule } from './fixtures/policies-app.js';
import { CaptureLogger } from './helpers/capture-logger.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER } from './helpers/tokens.js';

/**
 * The development-mode explanation of every claim and header refusal names what the token carried,
 * what was expected, and the option that fixes it — in the log only, never in the response.
 */
describe.each(ADAPTERS)('denial explanations name the fix (%s)', (adapter) => {
  let app: INestApplication;
  const logs = new CaptureLogger();
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [policiesTestModule({ explainDenials: true })] }, { beforeInit: (nest) => nest.useLogger(logs) });
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

  async function refusal(token: string): Promise<{ line: string; response: request.Response }> {
    const response = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(401);
    const lines = logs.at('debug', 'denied ');
    expect(lines).toHaveLength(1);
    return { line: lines[0], response };
  }

  const cases: [string, () => Promise<string>, RegExp][] = [
    [
      'typ JWT where at+jwt is expected',
      () => signTestToken({ sub: 'u-1' }, { typ: 'JWT' }),
      /typ was "JWT", expected "at\+jwt" \(RFC 9068 access tokens\)\. Tokens made by jsonwebtoken and many identity providers say "JWT": set jwt\.typ: 'JWT', or false to accept any typ/,
    ],
    ['another issuer', () => signTestToken({ sub: 'u-1', iss: 'https://other.test' }), /iss was "https:\/\/other\.test", expected "https:\/\/issuer\.test": set jwt\.issuer/],
    ['another audience', () => signTestToken({ sub: 'u-1', aud: ['api://a', 'api://b'] }), /aud was \["api:\/\/a", "api:\/\/b"\], expected "api:\/\/test": set jwt\.audience/],
    ['an expired token', () => signTestToken({ sub: 'u-1' }, { expiresIn: -3600 }), /exp was \d{4}-\d\d-\d\dT[\d:.]+Z, now is .+ \(jwt\.clockToleranceSeconds: 5\): get a fresh token/],
    [
      'a token not valid yet',
      () => signTestToken({ sub: 'u-1', nbf: Math.floor(Date.now() / 1000) + 3600 }),
      /nbf was .+Z, now is .+: the issuer's clock is ahead; raise jwt\.clockToleranceSeconds \(now 5\)/,
    ],
    ['a token without sub', () => signTestToken({ sub: undefined }), /the token has no sub claim; required are exp, sub \(exp and sub always, the rest from jwt\.requiredClaims\)/],
    ['a wrong signature', () => signTestToken({ sub: 'u-1' }, { key: new TextEncoder().encode('another-secret-that-is-long-enough!!') }), /the signature does not verify with the key for kid none: jwt\.secret or its public keys are not the ones the issuer signs with/],
    [
      'an algorithm outside the allowlist',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT({ sub: 'u-1', iss: TEST_ISSUER, aud: TEST_AUDIENCE })
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
          .setExpirationTime('5m')
          .sign(privateKey);
      },
      /alg was "ES256", not in jwt\.algorithms \["HS256"\]: add it if your issuer signs with it/,
    ],
    ['a token that is not a JWS', async () => 'not-a-jwt', /the token is not three base64url parts separated by dots/],
    ['a token above maxTokenLength', async () => `${'a'.repeat(9000)}.b.c`, /the token is 9004 characters, above maxTokenLength \(8192\)/],
  ];

  it.each(cases)('%s: the fix in the log, nothing of it in the answer', async (_name, make, fix) => {
    const token = await make();
    const { line, response } = await refusal(token);
    expect(line).toMatch(fix);
    expect(line).not.toContain(token);
    expect(line).not.toContain('u-1');
    const answer = `${response.text} ${String(response.headers['www-authenticate'])}`;
    expect(answer).not.toMatch(/ was |\bexpected |set jwt\.|clockTolerance|maxTokenLength/);
  });
});
