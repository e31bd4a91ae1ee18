import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key under which failures from one client are counted. IPv6 clients get a whole /64 from
 * their provider, so counting per address would let them rotate past any limit: count per /64.
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) count as the IPv4 address.
 */
export function clientAddressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const zoneless = address.split('%')[0];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(zoneless);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(zoneless)) return zoneless;
  if (!isIPv6(zoneless)) return 'unknown';
  return `${expandIPv6(zoneless).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
