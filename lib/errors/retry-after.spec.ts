import { StoreUnavailableError } from '../stores/auth-store.js';
import { failClosed } from '../stores/fail-closed.js';
import { AuthError } from './auth.error.js';
import { describeDenial } from './denial-code.js';
import { toHttpDenial } from './http-error.mapper.js';
import { retryAfterFor, UNAVAILABLE_RETRY_AFTER_SECONDS } from './retry-after.js';

const header = (error: AuthError) => toHttpDenial(error, []).headers.find(([name]) => name === 'Retry-After')?.[1];

describe('Retry-After policy', () => {
  it('rounds the error\'s own delay up to whole seconds, at least 1', () => {
    expect(retryAfterFor(new AuthError('locked', { retryAfterSeconds: 0.2 }))).toBe(1);
    expect(retryAfterFor(new AuthError('locked', { retryAfterSeconds: 61.01 }))).toBe(62);
    expect(retryAfterFor(new AuthError('unavailable', { retryAfterSeconds: 30 }))).toBe(30);
  });

  it('gives every 503 that names no delay the same one, and nothing else a default', () => {
    expect(UNAVAILABLE_RETRY_AFTER_SECONDS).toBe(5);
    expect(retryAfterFor(new AuthError('unavailable'))).toBe(5);
    expect(retryAfterFor(new AuthError('forbidden'))).toBeUndefined();
    expect(retryAfterFor(new AuthError('locked'))).toBeUndefined();
  });

  it('is the same in the HTTP header, the problem body and GraphQL/WebSocket denials', () => {
    const error = new AuthError('unavailable');
    expect(header(error)).toBe('5');
    const body = toHttpDenial(error, [], 'problem+json').exception.getResponse();
    expect(body).toMatchObject({ retryAfter: 5 });
    expect(describeDenial(error).retryAfter).toBe(5);
    expect(header(new AuthError('forbidden'))).toBeUndefined();
  });
});

describe('failClosed', () => {
  it('turns a StoreUnavailableError into a 503 with the policy\'s delay, the store error as cause', () => {
    const cause = new StoreUnavailableError('store offline');
    const error = failClosed(cause, { description: 'Sessions are temporarily unavailable', strategy: 'session' });
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: 'unavailable',
      description: 'Sessions are temporarily unavailable',
      strategy: 'session',
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      cause,
    });
  });

  it('returns anything else untouched', () => {
    const denial = new AuthError('invalid_credentials');
    const bug = new TypeError('bug');
    expect(failClosed(denial)).toBe(denial);
    expect(failClosed(bug, { description: 'ignored' })).toBe(bug);
  });
});
