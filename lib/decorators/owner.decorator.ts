import { SetMetadata, type Type } from '@nestjs/common';
import type { OwnershipResolver } from '../authorization/ownership-resolver.js';
import { OWNER_METADATA, type OwnerMetadata } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

export interface OwnerOptions {
  /** Roles that may act on any resource (e.g. `['admin']`). */
  readonly bypass?: readonly string[];
}

/**
 * Only the owner of the resource may call the route. `resolver` is an injectable that loads the
 * resource once (unknown → 404, someone else's → 403); the handler reads it with `@OwnedResource()`.
 */
export function Owner(resolver: Type<OwnershipResolver>, options: OwnerOptions = {}): ClassDecorator & MethodDecorator {
  if (typeof resolver !== 'function') {
    throw new TypeError('@Owner() needs an injectable OwnershipResolver class, e.g. @Owner(PostOwnership).');
  }
  const metadata: OwnerMetadata = { resolver, bypass: assertNames('Owner', options.bypass ?? [], true) };
  return SetMetadata(OWNER_METADATA, Object.freeze(metadata));
}
