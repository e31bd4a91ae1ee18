import { BlockList, isIP } from 'node:net';
import { AddressList, addressKey, normalizeAddress } from './address-list.js';

describe('normalizeAddress', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3', 'ipv4'],
    ['::ffff:10.1.2.3', '10.1.2.3', 'ipv4'],
    ['::FFFF:a01:203', '10.1.2.3', 'ipv4'],
    ['2001:DB8::1', '2001:db8::1', 'ipv6'],
    ['fe80::1%eth0', 'fe80::1', 'ipv6'],
    [' 192.168.1.1 ', '192.168.1.1', 'ipv4'],
  ])('%s → %s (%s)', (input, address, family) => {
    expect(normalizeAddress(input)).toEqual({ address, family });
  });

  it.each(['', 'localhost', '10.1.2', '010.1.2.3', '1.2.3.4.5', 'unknown', '::ffff:999.1.2.3'])('%j is not an address', (input) => {
    expect(normalizeAddress(input)).toBeUndefined();
  });
});

describe('AddressList', () => {
  const list = new AddressList(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32'], '@AllowFrom()');

  it.each([
    ['10.255.0.1', true],
    ['11.0.0.1', false],
    ['192.168.1.1', true],
    ['192.168.1.2', false],
    ['::ffff:10.1.2.3', true],
    ['::ffff:192.168.1.1', true],
    ['2001:db8:ffff::1', true],
    ['2001:db9::1', false],
    ['::1', false],
    [undefined, false],
    ['garbage', false],
    ['10.1.2.3, 11.0.0.1', false],
  ])('%s → %s', (address, expected) => {
    expect(list.contains(address)).toBe(expected);
  });

  it('keeps the entries as written', () => {
    expect(list.entries).toEqual(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32']);
    expect(Object.isFrozen(list.entries)).toBe(true);
  });

  it('knows loopback, linklocal and uniquelocal', () => {
    const named = new AddressList(['loopback', 'linklocal', 'uniquelocal'], 'trustProxy');
    for (const inside of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '169.254.1.1', 'fe80::1', '172.16.5.4', '192.168.0.9', 'fd00::1']) {
      expect(named.contains(inside)).toBe(true);
    }
    for (const outside of ['8.8.8.8', '172.32.0.1', '2001:db8::1']) expect(named.contains(outside)).toBe(false);
  });

  it('reads IPv4-mapped IPv6 ranges with their IPv6 prefix length', () => {
    const mapped = new AddressList(['::ffff:10.0.0.0/104'], 'trustProxy');
    expect(mapped.contains('10.9.9.9')).toBe(true);
    expect(mapped.contains('11.0.0.1')).toBe(false);
  });

  it.each([
    [[], 'needs at least one address'],
    [[''], 'takes addresses or CIDR ranges as strings'],
    [[42], 'takes addresses or CIDR ranges as strings'],
    [['10.0.0.0/33'], 'the prefix length must be 0-32'],
    [['2001:db8::/129'], 'the prefix length must be 0-128'],
    [['10.0.0.0/-1'], 'prefix length'],
    [['10.0.0.0/8/8'], 'prefix length'],
    [['10.0.0.0/'], 'prefix length'],
    [['example.com'], '"example.com" is not an IP address or CIDR range'],
    [['10.0.0.0/8 '.repeat(2)], 'is not'],
    [['fe80::%eth0/64'], 'is not an IP address or CIDR range'],
  ])('rejects %j with a clear message', (entries, message) => {
    expect(() => new AddressList(entries as unknown[], '@AllowFrom()')).toThrow(message);
    expect(() => new AddressList(entries as unknown[], '@AllowFrom()')).toThrow(/^@AllowFrom\(\)/);
  });
});

describe('AddressList agrees with node:net BlockList', () => {
  // A small deterministic generator: the same cases on every run.
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const v4 = () => [next() % 256, next() % 256, next() % 256, next() % 256].join('.');
  const v6 = () => {
    const groups = Array.from({ length: 8 }, () => (next() % 4 === 0 ? '0' : (next() % 0x10000).toString(16)));
    return next() % 2 ? groups.join(':') : groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  };

  it('on 2,000 random addresses against random ranges of both families', () => {
    const ranges = [
      ...Array.from({ length: 6 }, () => `${v4()}/${next() % 33}`),
      ...Array.from({ length: 6 }, () => `${v6()}/${next() % 129}`),
      v4(),
      v6(),
    ];
    const list = new AddressList(ranges, 'test');
    const reference = new BlockList();
    for (const range of ranges) {
      const [address, prefix] = range.split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) reference.addAddress(address, family);
      else reference.addSubnet(address, Number(prefix), family);
    }
    let matched = 0;
    for (let i = 0; i < 2000; i++) {
      // addresses near the ranges as well as anywhere
      const base = ranges[next() % ranges.length].split('/')[0];
      const address = i % 3 === 0 ? base : i % 3 === 1 ? v4() : v6();
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      const expected = reference.check(address, family);
      if (expected) matched++;
      expect([address, list.contains(address)]).toEqual([address, expected]);
      if (family === 'ipv4') expect([address, list.contains(`::ffff:${address}`)]).toEqual([address, expected]);
    }
    expect(matched).toBeGreaterThan(600);
  });
});

describe('addressKey (the one key for every feature counting per address)', () => {
  it('counts IPv4 per address, and IPv4-mapped IPv6 in either spelling as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:a00:1')).toBe('10.0.0.1');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    const a = addressKey('2001:db8:1:2::1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(a);
    expect(addressKey('2001:DB8:1:2:0:0:0:99')).toBe(a);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(a);
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('keys unparseable values each on their own (bounded, hashed), and no address at all as undefined', () => {
    expect(addressKey(undefined)).toBeUndefined();
    expect(addressKey('')).toBeUndefined();
    expect(addressKey('not-an-ip')).toMatch(/^raw:[\w-]{22}$/);
    expect(addressKey('not-an-ip')).not.toBe(addressKey('unknown'));
    expect(addressKey(`x${'a'.repeat(10_000)}`)).toHaveLength(26);
  });
});
