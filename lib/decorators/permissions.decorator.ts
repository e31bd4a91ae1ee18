import { SetMetadata } from '@nestjs/common';
import { PERMISSIONS_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

/** The caller needs all of these permissions; grants may be wildcards (`posts:*`, `*`). */
export const Permissions = (...permissions: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(PERMISSIONS_METADATA, assertNames('Permissions', permissions));
