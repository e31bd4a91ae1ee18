/**
 * The access-token deny list's record of one user (stored as JSON under `tokens:deny:user:<hash>`),
 * and what reads it: the deny list itself and each instance's `RevocationMirror`.
 */
const MAX_ID_LENGTH = 128;

/** One user's revocations, stored as JSON under one key (`tokens:deny:user:<hash>`). */
export interface UserRecord {
  /** Every token of the user issued at or before this time (ms) is revoked. */
  before?: number;
  /** When `before` may be forgotten (ms): every token it covers has expired by then. */
  beforeUntil?: number;
  /** Revoked token ids → until when (ms). */
  jti: Record<string, number>;
  /** Revoked token ids → their grant (`sid`), when known: what lets them become one grant entry. */
  of: Record<string, string>;
  /** Revoked grants (`sid`, a refresh-token family) → until when (ms): every token of the grant. */
  sid: Record<string, number>;
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

export function isDenied(record: UserRecord, jti: string, sid: string | undefined): boolean {
  return Object.hasOwn(record.jti, jti) || (sid !== undefined && Object.hasOwn(record.sid, sid));
}

export function entries(record: UserRecord): number {
  return Object.keys(record.jti).length + Object.keys(record.sid).length;
}

/** The live part of a stored record; a plain number is the older format (the user entry alone). */
export function decodeRecord(raw: string | null, now: number): UserRecord {
  const record: UserRecord = {
    jti: Object.create(null) as Record<string, number>,
    sid: Object.create(null) as Record<string, number>,
    of: Object.create(null) as Record<string, string>,
  };
  if (raw === null) return record;
  if (/^\d+$/.test(raw)) {
    record.before = Number(raw);
    return record;
  }
  let parsed: Partial<UserRecord>;
  try {
    parsed = JSON.parse(raw) as Partial<UserRecord>;
  } catch {
    return record;
  }
  if (typeof parsed.before === 'number' && typeof parsed.beforeUntil === 'number' && parsed.beforeUntil > now) {
    record.before = parsed.before;
    record.beforeUntil = parsed.beforeUntil;
  }
  for (const kind of ['jti', 'sid'] as const) {
    const map = parsed[kind];
    if (!map || typeof map !== 'object') continue;
    for (const [id, until] of Object.entries(map)) if (typeof until === 'number' && until > now) record[kind][id] = until;
  }
  if (parsed.of && typeof parsed.of === 'object') {
    for (const [jti, sid] of Object.entries(parsed.of)) if (typeof sid === 'string' && Object.hasOwn(record.jti, jti)) record.of[jti] = sid;
  }
  return record;
}

/**
 * Adds what `from` refuses to `into` (the later of each `until`, the later `before`): records of
 * one user may arrive out of order from several instances, and a union of them never refuses less
 * than the newest.
 */
export function mergeRecord(into: UserRecord, from: UserRecord): void {
  for (const kind of ['jti', 'sid'] as const) {
    for (const [id, until] of Object.entries(from[kind])) into[kind][id] = Math.max(into[kind][id] ?? 0, until);
  }
  if (from.before !== undefined && (into.before === undefined || from.before > into.before)) into.before = from.before;
  if (from.beforeUntil !== undefined) into.beforeUntil = Math.max(into.beforeUntil ?? 0, from.beforeUntil);
}

/** The last moment anything in the record refuses a token (ms); 0 for an empty record. */
export function recordUntil(record: UserRecord): number {
  let until = record.beforeUntil ?? 0;
  for (const value of Object.values(record.jti)) until = Math.max(until, value);
  for (const value of Object.values(record.sid)) until = Math.max(until, value);
  return until;
}
