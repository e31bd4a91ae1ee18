/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** A `scope` parameter as a set of scopes; `undefined` when a token is malformed. */
export function parseScope(value: string): string[] | undefined {
  const scopes = value.split(' ').filter((part) => part.length > 0);
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) return undefined;
  return [...new Set(scopes)];
}

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/** `allowed` narrowed by each limit that is set (`undefined`: no limit), in `allowed`'s order. */
export function narrowScopes(
  allowed: readonly string[],
  ...limits: (ReadonlySet<string> | undefined)[]
): string[] {
  return [...new Set(allowed)].filter((scope) => limits.every((limit) => !limit || limit.has(scope)));
}
