/** What the store holds for one session (JSON), under the SHA-256 of its id. */
export interface SessionRecord {
  /** User id. */
  readonly uid: string;
  readonly username?: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly scopes: readonly string[];
  /** RFC 8176 authentication methods: `['pwd']`, then `['pwd', 'otp']` after step-up. */
  readonly amr: readonly string[];
  /** The synchronizer CSRF token. */
  readonly csrf: string;
  /** Login time (ms), for the absolute timeout. */
  readonly createdAt: number;
  /** Last activity (ms), for the idle timeout. */
  readonly seenAt: number;
  /** The user's session epoch at login; "log out everywhere" changes it. */
  readonly epoch: string;
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Parses a stored record; `null` for anything malformed (treated as no session). */
export function parseSessionRecord(raw: string): SessionRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const r = value as Record<string, unknown>;
  const valid =
    typeof r.uid === 'string' &&
    (r.username === undefined || typeof r.username === 'string') &&
    isStringList(r.roles) &&
    isStringList(r.permissions) &&
    isStringList(r.scopes) &&
    isStringList(r.amr) &&
    typeof r.csrf === 'string' &&
    Number.isFinite(r.createdAt) &&
    Number.isFinite(r.seenAt) &&
    typeof r.epoch === 'string';
  return valid ? (r as unknown as SessionRecord) : null;
}
