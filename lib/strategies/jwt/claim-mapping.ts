import type { ClaimMappingOptions } from './jwt.options.js';

/** Claim paths split once at boot, so mapping a token walks arrays and never parses strings. */
export interface CompiledClaimMapping {
  readonly roles: readonly (readonly string[])[];
  readonly scopes: readonly (readonly string[])[];
  readonly permissions: readonly (readonly string[])[];
  readonly username: readonly (readonly string[])[];
}

const DEFAULTS = {
  roles: ['roles'],
  scopes: ['scope', 'scp'],
  permissions: ['permissions'],
  username: ['preferred_username', 'username'],
} as const;

function compilePaths(value: string | readonly string[] | undefined, fallback: readonly string[]) {
  const paths = value === undefined ? fallback : typeof value === 'string' ? [value] : value;
  return paths.map((path) => path.split('.'));
}

export function compileClaimMapping(options: ClaimMappingOptions = {}): CompiledClaimMapping {
  return {
    roles: compilePaths(options.roles, DEFAULTS.roles),
    scopes: compilePaths(options.scopes, DEFAULTS.scopes),
    permissions: compilePaths(options.permissions, DEFAULTS.permissions),
    username: compilePaths(options.username, DEFAULTS.username),
  };
}

function at(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Collects string values from every configured path: arrays of strings and space-separated
 * strings (OAuth2 `scope`) alike. Non-string entries are ignored, never coerced.
 */
export function readStringList(
  claims: Readonly<Record<string, unknown>>,
  paths: readonly (readonly string[])[],
): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const value = at(claims, path);
    if (typeof value === 'string') {
      for (const item of value.split(' ')) if (item) out.push(item);
    } else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string' && item) out.push(item);
    }
  }
  return out.length > 1 ? [...new Set(out)] : out;
}

export function readString(
  claims: Readonly<Record<string, unknown>>,
  paths: readonly (readonly string[])[],
): string | undefined {
  for (const path of paths) {
    const value = at(claims, path);
    if (typeof value === 'string') return value;
  }
  return undefined;
}
