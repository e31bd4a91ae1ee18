import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthStore, type StoreSubscriber, type StoreSubscription } from '../../stores/auth-store.js';
import { TokenSettings } from '../token-settings.js';
import { decodeRecord, entries, mergeRecord, recordUntil, type UserRecord } from './deny-record.js';

/** The channel every instance publishes its revocations on (the store prefixes it). */
export const REVOCATION_CHANNEL = 'tokens:revocations';
/** Counts revocations; each message carries its number, so a lost one shows as a gap. */
export const REVOCATION_SEQUENCE_KEY = 'tokens:deny:seq';
const SEQUENCE_TTL_MS = 30 * 24 * 3600_000;
/**
 * Only tokens issued this long after the mirror went live are answered from it: covers clock skew
 * between instances and `iat`'s whole seconds. Older tokens ask the store, as without a mirror.
 */
export const MIRROR_TRUST_MARGIN_MS = 10_000;
/** How often the sequence in the store is compared with what arrived, and a dead channel probed. */
const CHECK_INTERVAL_MS = 250;
/** A revocation counted in the store but not received after this long means the channel lost it. */
const GAP_GRACE_MS = 1_000;
/** A probe that has not come back after this long is sent again. */
const PROBE_TIMEOUT_MS = 1_000;
/** Users the mirror holds records of; past this it empties itself and resyncs (asks the store) rather than grow. */
const MAX_USERS = 100_000;
/**
 * Entries of one user's merged record (the store keeps at most 32, but records arriving out of
 * order are merged). Past it, that user's tokens are checked in the store, the others' stay local.
 */
const MAX_ENTRIES_PER_USER = 128;
const MAX_PENDING = 10_000;

/** One revocation as published: the user's whole record after it was written. */
export interface RevocationMessage {
  /** Its number in `REVOCATION_SEQUENCE_KEY`. */
  readonly n: number;
  /** The user (`sub`). */
  readonly id: string;
  /** The user's deny-list record as stored (JSON). */
  readonly record: string;
}

/** A user's record as the mirror holds it. */
interface MirroredUser {
  readonly record: UserRecord;
  /** When nothing in it refuses anything any more (ms). */
  until: number;
  /** More than `MAX_ENTRIES_PER_USER`: this user's tokens are checked in the store. */
  overflow: boolean;
}

/** What the mirror answers for a token it covers. */
export interface MirrorAnswer {
  readonly denied: boolean;
  readonly userRevokedAt: number | undefined;
}

/**
 * A local copy of the access-token deny list, kept current by the store's publish/subscribe
 * channel (RedisStore: Redis pub/sub), so that the request path asks the store nothing for tokens
 * it covers. It covers a token only while the channel is known to be whole: live since a probe
 * of its own came back, no revocation counted in the store but missing here for more than a
 * second, and the token issued after it went live (plus a margin for clock skew). Anything else
 * (a store without a channel, a dropped connection, a resync, an older token) asks the store, so
 * fail-closed behaviour is unchanged. Bounded: past `MAX_ENTRIES` it empties and resyncs.
 */
@Injectable()
export class RevocationMirror implements StoreSubscriber, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly users = new Map<string, MirroredUser>();
  private subscription: StoreSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly instance = randomBytes(9).toString('base64url');
  /** Tokens issued at or after this (ms) are answered locally; `undefined`: not live. */
  private trustFrom: number | undefined;
  /** Highest sequence number up to which every revocation has arrived. */
  private highest = 0;
  private readonly pending = new Set<number>();
  /** A sequence number seen in the store but not yet here, and since when. */
  private awaited: { readonly n: number; readonly since: number } | undefined;
  /** `sentAt`: the app's clock (compared with `iat`); `sentAtMonotonic`: for its timeout. */
  private probe: { readonly nonce: string; readonly sentAt: number; readonly sentAtMonotonic: number; readonly sequence: number } | undefined;
  private checking = false;

  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly settings: TokenSettings,
  ) {}

  /** Whether revocations propagate to this instance (the store has a channel and it is live). */
  get live(): boolean {
    return this.trustFrom !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.configured || !this.store.publish || !this.store.subscribe) return;
    try {
      this.subscription = await this.store.subscribe(REVOCATION_CHANNEL, this);
    } catch (error) {
      // The store is down at boot: every request asks it (and fails closed) until a restart.
      new Logger('nest-warden').warn(`Revocations will be read from the store on every request: ${(error as Error).message}`);
      return;
    }
    if (!this.subscription) return;
    this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS).unref();
    await this.check();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.trustFrom = undefined;
    await this.subscription?.close();
    this.subscription = undefined;
  }

  /**
   * The answer for a token issued at `iat` (seconds), or `undefined` when the store must be asked.
   * Allocation-free when nothing is revoked.
   */
  answer(jti: string, sid: string | undefined, sub: string, iat: unknown): MirrorAnswer | undefined {
    const trustFrom = this.trustFrom;
    if (trustFrom === undefined || typeof iat !== 'number' || iat * 1000 < trustFrom) return undefined;
    const user = this.users.get(sub);
    if (user === undefined) return CLEAR_ANSWER;
    const now = this.clock.now();
    if (user.until <= now) {
      this.users.delete(sub);
      return CLEAR_ANSWER;
    }
    if (user.overflow) return undefined;
    const { record } = user;
    if ((record.jti[jti] ?? 0) > now || (sid !== undefined && (record.sid[sid] ?? 0) > now)) return DENIED_ANSWER;
    const before = record.before !== undefined && (record.beforeUntil ?? 0) > now ? record.before : undefined;
    return before === undefined ? CLEAR_ANSWER : { denied: false, userRevokedAt: before };
  }

  /** Whether revocations are published: the tokens are configured and the store has a channel. */
  get propagates(): boolean {
    return this.settings.configured && this.store.publish !== undefined && this.store.subscribe !== undefined;
  }

  /** The number of the next revocation, taken before it is written: a revocation whose message is then lost shows as a gap. */
  nextSequence(): Promise<number> {
    return this.store.increment(REVOCATION_SEQUENCE_KEY, SEQUENCE_TTL_MS);
  }

  /**
   * Publishes a revocation already written to the store (and applies it here at once). A message
   * that cannot be sent is not an error: the revocation is in the store, and every other
   * instance sees the gap in the sequence within `GAP_GRACE_MS` and asks the store again.
   */
  async publish(message: RevocationMessage): Promise<void> {
    this.apply(message);
    try {
      await this.store.publish?.(REVOCATION_CHANNEL, JSON.stringify(message));
    } catch (error) {
      new Logger('nest-warden').warn(`A revocation was recorded but not published (other instances will ask the store): ${(error as Error).message}`);
    }
  }

  message(raw: string): void {
    let message: Partial<RevocationMessage> & { probe?: string };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (typeof message.probe === 'string') {
      if (this.probe !== undefined && message.probe === this.probe.nonce) this.goLive(this.probe.sentAt, this.probe.sequence);
      return;
    }
    if (!isRevocation(message)) return;
    this.apply(message);
    this.arrived(message.n);
  }

  interrupted(): void {
    this.trustFrom = undefined;
    this.probe = undefined;
  }

  private apply(message: RevocationMessage): void {
    const now = this.clock.now();
    const record = decodeRecord(message.record, now);
    const user = this.users.get(message.id);
    if (user === undefined) {
      if (this.users.size >= MAX_USERS && !this.sweep(now)) {
        this.resync(true);
        return;
      }
      this.users.set(message.id, { record, until: recordUntil(record), overflow: entries(record) > MAX_ENTRIES_PER_USER });
      return;
    }
    if (user.overflow) {
      user.until = Math.max(user.until, recordUntil(record));
      return;
    }
    mergeRecord(user.record, record);
    user.until = Math.max(user.until, recordUntil(record));
    if (entries(user.record) > MAX_ENTRIES_PER_USER) {
      user.overflow = true;
      user.record.jti = Object.create(null) as Record<string, number>;
      user.record.sid = Object.create(null) as Record<string, number>;
    }
  }

  private arrived(n: number): void {
    if (n <= this.highest) return;
    this.pending.add(n);
    while (this.pending.delete(this.highest + 1)) this.highest++;
    if (this.pending.size > MAX_PENDING) {
      this.pending.clear();
      this.resync();
    }
  }

  /** Compares the store's sequence with what arrived; probes the channel while it is not live. */
  private async check(): Promise<void> {
    if (this.checking || !this.subscription) return;
    this.checking = true;
    try {
      const sequence = Number((await this.store.get(REVOCATION_SEQUENCE_KEY)) ?? 0);
      // Timeouts on the monotonic clock; the trust boundary on the app's (it is compared with `iat`).
      const now = performance.now();
      if (this.trustFrom === undefined) {
        if (this.probe !== undefined && now - this.probe.sentAtMonotonic < PROBE_TIMEOUT_MS) return;
        const nonce = randomBytes(12).toString('base64url');
        this.probe = { nonce, sentAt: this.clock.now(), sentAtMonotonic: now, sequence };
        await this.store.publish?.(REVOCATION_CHANNEL, JSON.stringify({ probe: nonce, from: this.instance }));
        return;
      }
      if (sequence < this.highest) {
        this.highest = 0; // the counter expired or was reset
        this.pending.clear();
        this.resync();
      } else if (sequence > this.highest) {
        if (this.awaited === undefined || this.awaited.n > sequence) this.awaited = { n: sequence, since: now };
        else if (now - this.awaited.since > GAP_GRACE_MS) this.resync();
      } else {
        this.awaited = undefined;
      }
    } catch {
      this.interrupted(); // the store cannot answer: nothing is known about the channel either
    } finally {
      this.checking = false;
    }
  }

  /** Every revocation numbered after `sequence` arrives from now on: trust tokens issued after `since`. */
  private goLive(since: number, sequence: number): void {
    this.probe = undefined;
    this.awaited = undefined;
    // Revocations numbered after `sequence` that arrived while the probe travelled stay counted.
    this.highest = Math.max(this.highest, sequence);
    for (const n of this.pending) if (n <= this.highest) this.pending.delete(n);
    while (this.pending.delete(this.highest + 1)) this.highest++;
    this.trustFrom = since + MIRROR_TRUST_MARGIN_MS;
  }

  /**
   * Something was missed (or the mirror is full: `empty`): only tokens issued after the next probe
   * are answered locally. What the mirror holds stays true, so it is kept unless it must be emptied.
   */
  private resync(empty = false): void {
    if (empty) this.users.clear();
    this.interrupted();
  }

  /** Drops users whose records refuse nothing any more; `true` when that made room. */
  private sweep(now: number): boolean {
    for (const [id, user] of this.users) if (user.until <= now) this.users.delete(id);
    return this.users.size < MAX_USERS;
  }
}

const DENIED_ANSWER: MirrorAnswer = Object.freeze({ denied: true, userRevokedAt: undefined });
const CLEAR_ANSWER: MirrorAnswer = Object.freeze({ denied: false, userRevokedAt: undefined });

function isRevocation(message: Partial<RevocationMessage>): message is RevocationMessage {
  return typeof message.n === 'number' && Number.isSafeInteger(message.n) && typeof message.id === 'string' && typeof message.record === 'string';
}
