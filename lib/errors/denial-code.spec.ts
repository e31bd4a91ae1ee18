import { AuthError, type AuthErrorCode } from './auth.error.js';
import { describeDenial } from './denial-code.js';

describe('describeDenial', () => {
  it.each<[AuthErrorCode, number, string, string]>([
    ['credentials_missing', 401, 'UNAUTHENTICATED', 'Authentication required'],
    ['invalid_token', 401, 'UNAUTHENTICATED', 'Invalid access token'],
    ['invalid_credentials', 401, 'UNAUTHENTICATED', 'Invalid credentials'],
    ['invalid_request', 400, 'BAD_REQUEST', 'Malformed credentials'],
    ['insufficient_scope', 403, 'FORBIDDEN', 'Insufficient scope'],
    ['forbidden', 403, 'FORBIDDEN', 'Forbidden'],
    ['not_found', 404, 'NOT_FOUND', 'Not Found'],
    ['locked', 429, 'TOO_MANY_REQUESTS', 'Too many failed attempts; try again later'],
    ['rate_limited', 429, 'TOO_MANY_REQUESTS', 'Too many requests; try again later'],
    ['unavailable', 503, 'SERVICE_UNAVAILABLE', 'Authentication is temporarily unavailable'],
  ])('maps %s to %i %s with the HTTP message', (code, statusCode, denialCode, message) => {
    // A 503 always tells when to retry (the one Retry-After policy); other codes only with a delay.
    const retry = code === 'unavailable' ? { retryAfter: 5 } : {};
    expect(describeDenial(new AuthError(code))).toEqual({ statusCode, code: denialCode, message, ...retry });
  });

  it('uses the safe description, never the cause', () => {
    const error = new AuthError('invalid_token', {
      description: 'The access token expired',
      cause: new Error('jose: "exp" claim'),
    });
    expect(describeDenial(error)).toEqual({
      statusCode: 401,
      code: 'UNAUTHENTICATED',
      message: 'The access token expired',
    });
  });

  it('adds the required scopes and a whole-second retry delay', () => {
    expect(describeDenial(new AuthError('insufficient_scope', { scopes: ['a', 'b'] })).scopes).toEqual([
      'a',
      'b',
    ]);
    expect(describeDenial(new AuthError('locked', { retryAfterSeconds: 1.2 })).retryAfter).toBe(2);
    expect(describeDenial(new AuthError('unavailable', { retryAfterSeconds: 0 })).retryAfter).toBe(1);
  });
});
