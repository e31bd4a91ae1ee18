import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/** Names for well-known ranges, as Express's `trust proxy` (proxy-addr) spells them. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An address as written on the wire, minus an IPv6 zone (`fe80::1%eth0`); IPv4-mapped IPv6 becomes IPv4. */
export interface NormalizedAddress {
  readonly address: string;
  readonly family: 'ipv4' | 'ipv6';
}

const RECENT_LIMIT = 1024;
const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** Parses one IP address; `undefined` for anything else (host names, garbage, empty). */
export function normalizeAddress(value: string | undefined): NormalizedAddress | undefined {
  if (!value) return undefined;
  let bare = value.trim();
  const zone = bare.indexOf('%');
  if (zone !== -1) bare = bare.slice(0, zone);
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: 'ipv4' };
  if (version !== 6) return undefined;
  if (bare.length > 7 && bare.slice(0, 7).toLowerCase() === '::ffff:') {
    const dotted = MAPPED_DOTTED.exec(bare);
    if (dotted && isIP(dotted[1]) === 4) return { address: dotted[1], family: 'ipv4' };
    const hex = MAPPED_HEX.exec(bare);
    if (hex) {
      const high = parseInt(hex[1], 16);
      const low = parseInt(hex[2], 16);
      return { address: `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`, family: 'ipv4' };
    }
  }
  return { address: bare.toLowerCase(), family: 'ipv6' };
}

/** An address as 8 hextets; IPv4 as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), so one compare serves both families. */
type Hextets = readonly number[];

function hextetsOf(address: NormalizedAddress): Hextets {
  if (address.family === 'ipv4') {
    const [a, b, c, d] = address.address.split('.').map(Number);
    return [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d];
  }
  let text = address.address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const gap = text.indexOf('::');
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? '' : text.slice(gap + 2);
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => parseInt(group, 16));
}

interface Range {
  readonly hextets: Hextets;
  /** Prefix length in bits of the 128-bit (IPv4-mapped) form. */
  readonly bits: number;
}

function inRange(address: Hextets, range: Range): boolean {
  let bits = range.bits;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((address[i] & mask) !== (range.hextets[i] & mask)) return false;
  }
  return true;
}

/**
 * A list of IPv4/IPv6 addresses and CIDR ranges (`10.0.0.0/8`, `192.168.1.1`, `2001:db8::/32`, or one of
 * `loopback`, `linklocal`, `uniquelocal`). Every entry is validated (with `node:net`'s `isIP`) when the
 * list is built, so a typo fails where it is written, with the entry named. IPv4 is compared in its
 * IPv4-mapped IPv6 form, so `::ffff:10.1.2.3` matches `10.0.0.0/8`.
 *
 * Matching is a masked compare of parsed hextets rather than `net.BlockList#check`, which builds a native
 * `SocketAddress` for every string it is given (about 20 times slower, on every request).
 */
export class AddressList {
  /** The entries as written (trimmed), for manifests and messages. */
  readonly entries: readonly string[];
  private readonly ranges: Range[] = [];
  /** Recent answers: the same clients and proxies come back again and again. Bounded; cleared when full. */
  private readonly recent = new Map<string, boolean>();

  constructor(entries: readonly unknown[], where: string) {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new TypeError(`${where} needs at least one address or CIDR range, e.g. '10.0.0.0/8'.`);
    }
    const written: string[] = [];
    for (const entry of entries) {
      if (typeof entry !== 'string' || entry.trim() === '') {
        throw new TypeError(`${where} takes addresses or CIDR ranges as strings; got ${JSON.stringify(entry)}.`);
      }
      const text = entry.trim();
      for (const range of NAMED_RANGES[text.toLowerCase()] ?? [text]) this.add(range, text, where);
      written.push(text);
    }
    this.entries = Object.freeze(written);
  }

  /** Whether the address (as the socket or a proxy reported it) is on the list; unparseable → false. */
  contains(address: string | undefined): boolean {
    if (!address) return false;
    const known = this.recent.get(address);
    if (known !== undefined) return known;
    const normalized = normalizeAddress(address);
    let found = false;
    if (normalized) {
      const hextets = hextetsOf(normalized);
      for (const range of this.ranges) {
        if (inRange(hextets, range)) {
          found = true;
          break;
        }
      }
    }
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    this.recent.set(address, found);
    return found;
  }

  private add(range: string, written: string, where: string): void {
    const slash = range.indexOf('/');
    const addressText = slash === -1 ? range : range.slice(0, slash);
    const address = normalizeAddress(addressText);
    const invalid = (why: string) =>
      new TypeError(
        `${where}: ${JSON.stringify(written)} is not ${why}. ` +
          `Write an IPv4/IPv6 address ('192.168.1.1', '2001:db8::1'), a CIDR range ('10.0.0.0/8', '2001:db8::/32') ` +
          `or one of ${Object.keys(NAMED_RANGES).map((name) => `'${name}'`).join(', ')}.`,
      );
    if (!address || addressText.includes('%')) throw invalid('an IP address or CIDR range');
    const hextets = hextetsOf(address);
    if (slash === -1) {
      this.ranges.push({ hextets, bits: 128 });
      return;
    }
    const prefixText = range.slice(slash + 1);
    // Written as IPv4 (`10.0.0.0/8`): the prefix counts IPv4 bits. Written as IPv6, also an IPv4-mapped
    // network (`::ffff:10.0.0.0/104`): it counts IPv6 bits.
    const writtenAsIPv4 = isIP(addressText) === 4;
    const max = writtenAsIPv4 ? 32 : 128;
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw invalid(`a valid CIDR range (the prefix length must be 0-${max})`);
    }
    this.ranges.push({ hextets, bits: writtenAsIPv4 ? 96 + prefix : prefix });
  }
}

/** Longest unparseable address text that is keyed as written; longer ones are cut before hashing. */
const MAX_RAW_ADDRESS = 256;

/**
 * The key under which one client is counted, for every feature that keys on addresses (login
 * lockout, the principal throttler): the one parser of this module (`normalizeAddress`), so
 * `::ffff:a00:1`, `::ffff:10.0.0.1` and `10.0.0.1` are one client. IPv6 clients get a whole /64 from
 * their provider, so counting per address would let them rotate past any limit: IPv6 counts per /64.
 *
 * A value that is not an IP address (a misconfigured proxy's `unknown`, a host name, garbage) is
 * keyed per value (`raw:` and a hash of its first 256 characters: bounded length, no store syntax),
 * never in one bucket shared with every other unparseable client: one such client must not lock out
 * the others. `undefined` (no address at all: the socket is gone) gives `undefined`; the caller
 * skips per-address counting, its per-account limits still apply.
 */
export function addressKey(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const normalized = normalizeAddress(value);
  if (!normalized) {
    return `raw:${createHash('sha256').update(value.slice(0, MAX_RAW_ADDRESS)).digest('base64url').slice(0, 22)}`;
  }
  if (normalized.family === 'ipv4') return normalized.address;
  const hextets = hextetsOf(normalized);
  return `${hextets.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}
