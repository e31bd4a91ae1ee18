import { AssertionError } from 'node:assert';
import { type Challenge, parseWwwAuthenticate } from './www-authenticate.js';

/** What the helpers read from a response: supertest's response fits, so do most HTTP clients'. */
export interface ResponseLike {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
}

export interface UnauthorizedExpectation {
  /** Schemes expected in `WWW-Authenticate`, in order (case-insensitive), e.g. `['Bearer', 'ApiKey']`. */
  readonly schemes?: readonly string[];
  /** The `error` attribute expected on the first challenge; `null` asserts there is none (no credentials sent). */
  readonly error?: string | null;
}

export interface ForbiddenExpectation {
  /** For `insufficient_scope`: the scopes the challenge must list (RFC 6750 §3.1). */
  readonly scopes?: readonly string[];
}

function fail(message: string, response: ResponseLike): never {
  throw new AssertionError({
    message: `${message}\n  status: ${response.status}\n  www-authenticate: ${String(response.headers['www-authenticate'])}\n  body: ${JSON.stringify(response.body)}`,
  });
}

function challengesOf(response: ResponseLike): Challenge[] {
  return parseWwwAuthenticate(response.headers['www-authenticate']);
}

/** Asserts a 401 with RFC-correct challenges; returns the parsed challenges for further checks. */
export function expectUnauthorized(response: ResponseLike, expected: UnauthorizedExpectation = {}): Challenge[] {
  if (response.status !== 401) fail('Expected 401 Unauthorized', response);
  const challenges = challengesOf(response);
  if (challenges.length === 0) fail('A 401 must carry at least one WWW-Authenticate challenge (RFC 9110 §15.5.2)', response);
  if (expected.schemes) {
    const actual = challenges.map((c) => c.scheme.toLowerCase());
    const wanted = expected.schemes.map((s) => s.toLowerCase());
    if (actual.join(',') !== wanted.join(',')) fail(`Expected challenges ${wanted.join(', ')}, got ${actual.join(', ')}`, response);
  }
  if (expected.error === null && challenges.some((c) => c.params.error !== undefined)) {
    fail('Expected no error attribute (no credentials were sent, RFC 6750 §3.1)', response);
  }
  if (typeof expected.error === 'string' && !challenges.some((c) => c.params.error === expected.error)) {
    fail(`Expected a challenge with error="${expected.error}"`, response);
  }
  return challenges;
}

/** Asserts a 403; with `scopes`, also the RFC 6750 `insufficient_scope` challenge listing them. */
export function expectForbidden(response: ResponseLike, expected: ForbiddenExpectation = {}): Challenge[] {
  if (response.status !== 403) fail('Expected 403 Forbidden', response);
  const challenges = challengesOf(response);
  if (expected.scopes) {
    const challenge = challenges.find((c) => c.params.error === 'insufficient_scope');
    if (!challenge) fail('Expected a Bearer challenge with error="insufficient_scope"', response);
    const listed = (challenge.params.scope ?? '').split(' ').filter(Boolean).sort();
    if (listed.join(' ') !== [...expected.scopes].sort().join(' ')) {
      fail(`Expected scope="${expected.scopes.join(' ')}", got scope="${challenge.params.scope ?? ''}"`, response);
    }
  }
  return challenges;
}
