import { HttpStatus, UnauthorizedException } from '@nestjs/common';
import { AuthError } from './auth.error.js';
import type { Denial } from './error-response.js';
import { toHttpDenial } from './http-error.mapper.js';

describe('toHttpDenial error formats', () => {
  it("keeps Nest's body by default", () => {
    const denial = toHttpDenial(new AuthError('credentials_missing'), ['Bearer realm="api"']);
    expect(denial.exception).toBeInstanceOf(UnauthorizedException);
    expect(denial.exception.getResponse()).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
    expect(denial.headers).toEqual([['WWW-Authenticate', 'Bearer realm="api"']]);
  });

  it('writes RFC 9457 problem details with the same headers plus Content-Type', () => {
    const denial = toHttpDenial(
      new AuthError('insufficient_scope', { scopes: ['items:write'], strategy: 'jwt' }),
      ['Bearer realm="api", error="insufficient_scope", scope="items:write"'],
      'problem+json',
    );
    expect(denial.exception.getStatus()).toBe(HttpStatus.FORBIDDEN);
    expect(denial.exception.getResponse()).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Insufficient scope',
      code: 'insufficient_scope',
      scopes: ['items:write'],
    });
    expect(denial.headers).toEqual([
      ['WWW-Authenticate', 'Bearer realm="api", error="insufficient_scope", scope="items:write"'],
      ['Content-Type', 'application/problem+json'],
    ]);
  });

  it('gives a formatter the denial and keeps Retry-After', () => {
    const seen: Denial[] = [];
    const denial = toHttpDenial(new AuthError('rate_limited', { retryAfterSeconds: 41.2 }), [], (d) => {
      seen.push(d);
      return { error: d.code, retry_in: d.retryAfterSeconds };
    });
    expect(seen).toEqual([
      { status: 429, code: 'rate_limited', title: 'Too Many Requests', message: 'Too many requests; try again later', scopes: undefined, retryAfterSeconds: 42 },
    ]);
    expect(denial.exception.getStatus()).toBe(429);
    expect(denial.exception.getResponse()).toEqual({ error: 'rate_limited', retry_in: 42 });
    expect(denial.headers).toEqual([['Retry-After', '42']]);
  });

  it.each([
    ['credentials_missing', 401],
    ['invalid_token', 401],
    ['invalid_credentials', 401],
    ['invalid_request', 400],
    ['insufficient_scope', 403],
    ['forbidden', 403],
    ['not_found', 404],
    ['locked', 429],
    ['rate_limited', 429],
    ['unavailable', 503],
  ] as const)('%s is %i in every format', (code, status) => {
    for (const format of ['nest', 'problem+json', () => ({ custom: true })] as const) {
      const denial = toHttpDenial(new AuthError(code), [], format);
      expect(denial.exception.getStatus()).toBe(status);
      if (format === 'problem+json') expect(denial.exception.getResponse()).toMatchObject({ status, code });
    }
  });
});
