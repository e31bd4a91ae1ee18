import { SetMetadata } from '@nestjs/common';
import { AddressList } from '../network/address-list.js';
import { ALLOW_FROM_METADATA } from '../policy/policy-metadata.js';

/**
 * Only clients from these addresses or CIDR ranges may call the route; others get 403 before any
 * credential is looked at. IPv4 and IPv6 (`'10.0.0.0/8'`, `'192.168.1.1'`, `'2001:db8::/32'`, or
 * `'loopback'`, `'linklocal'`, `'uniquelocal'`); IPv4-mapped IPv6 clients match IPv4 entries. The client
 * address is the socket's peer unless `AuthModule.forRoot({ trustProxy })` says which proxies to believe.
 * Works on `@Public()` routes too. On a method it replaces a class-level list (method wins).
 *
 * @example
 * @AllowFrom('10.0.0.0/8', '2001:db8::/32')
 * @Get('internal/metrics')
 */
export function AllowFrom(...entries: string[]): ClassDecorator & MethodDecorator {
  const list = new AddressList(entries, '@AllowFrom()');
  return SetMetadata(ALLOW_FROM_METADATA, list.entries);
}
