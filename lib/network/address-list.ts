import { BlockList, isIP } from 'node:net';

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

const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** Parses one IP address; `undefined` for anything else (host names, garbage, empty). */
export function normalizeAddress(value: string | undefined): NormalizedAddress | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const zone = trimmed.indexOf('%');
  const bare = zone === -1 ? trimmed : trimmed.slice(0, zone);
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: 'ipv4' };
  if (version !== 6) return undefined;
  const dotted = MAPPED_DOTTED.exec(bare);
  if (dotted && isIP(dotted[1]) === 4) return { address: dotted[1], family: 'ipv4' };
  const hex = MAPPED_HEX.exec(bare);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return { address: `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`, family: 'ipv4' };
  }
  return { address: bare.toLowerCase(), family: 'ipv6' };
}

/**
 * A list of IPv4/IPv6 addresses and CIDR ranges (`10.0.0.0/8`, `192.168.1.1`, `2001:db8::/32`, or one of
 * `loopback`, `linklocal`, `uniquelocal`), checked with Node's `BlockList`. Every entry is validated
 * when the list is built, so a typo fails where it is written, with the entry named.
 * IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) match IPv4 entries.
 */
export class AddressList {
  /** The entries as written (trimmed), for manifests and messages. */
  readonly entries: readonly string[];
  private readonly blockList = new BlockList();

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
    const normalized = normalizeAddress(address);
    return normalized !== undefined && this.blockList.check(normalized.address, normalized.family);
  }

  private add(range: string, written: string, where: string): void {
    const slash = range.indexOf('/');
    const address = normalizeAddress(slash === -1 ? range : range.slice(0, slash));
    const invalid = (why: string) =>
      new TypeError(
        `${where}: ${JSON.stringify(written)} is not ${why}. ` +
          `Write an IPv4/IPv6 address ('192.168.1.1', '2001:db8::1'), a CIDR range ('10.0.0.0/8', '2001:db8::/32') ` +
          `or one of ${Object.keys(NAMED_RANGES).map((name) => `'${name}'`).join(', ')}.`,
      );
    if (!address || (slash !== -1 && range.slice(0, slash).includes('%'))) throw invalid('an IP address or CIDR range');
    if (slash === -1) {
      this.blockList.addAddress(address.address, address.family);
      return;
    }
    const prefixText = range.slice(slash + 1);
    const max = address.family === 'ipv4' ? 32 : 128;
    // An IPv4-mapped network keeps its IPv6 prefix length: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
    const mappedShift = address.family === 'ipv4' && isIP(range.slice(0, slash)) === 6 ? 96 : 0;
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) - mappedShift : Number.NaN;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw invalid(`a valid CIDR range (the prefix length must be 0-${max + mappedShift})`);
    }
    this.blockList.addSubnet(address.address, prefix, address.family);
  }
}
