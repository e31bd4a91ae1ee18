import { SetMetadata, type Type } from '@nestjs/common';
import type { CanRequirement, ResourceLoader } from '../authorization/ability-authority.js';
import { CAN_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

/** Options of `@Can()`. */
export interface CanOptions {
  /**
   * An injectable that loads the resource once per request; the rule's conditions are checked
   * against it (unknown → 404 before any 403), and the handler reads it with `@OwnedResource()`.
   * Beside `@Owner()`, leave it out: the `@Owner()` resolver's resource is checked instead.
   */
  readonly resource?: Type<ResourceLoader>;
}

/**
 * The caller's abilities must allow `action` on `subject` (e.g. `@Can('update', 'Post')`), as the
 * `AbilityAuthority` decides — `CaslModule` from `nest-warden/casl` provides one on `@casl/ability`.
 * Without a loaded resource, the subject type is checked (CASL: "may do it to some Post"); with
 * one, the rule's conditions are checked against it.
 */
export function Can(action: string, subject: string, options: CanOptions = {}): ClassDecorator & MethodDecorator {
  const [checkedAction, checkedSubject] = assertNames('Can', [action, subject]);
  if (checkedSubject === undefined) throw new TypeError("@Can() needs an action and a subject, e.g. @Can('update', 'Post').");
  if (options.resource !== undefined && typeof options.resource !== 'function') {
    throw new TypeError('@Can() resource must be an injectable ResourceLoader class, e.g. { resource: PostLoader }.');
  }
  const metadata: CanRequirement = { action: checkedAction, subject: checkedSubject, resource: options.resource };
  return SetMetadata(CAN_METADATA, Object.freeze(metadata));
}
