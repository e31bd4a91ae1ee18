import { SetMetadata } from '@nestjs/common';
import { ROLES_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

/** The caller needs any one of these roles (roles implied through the hierarchy count). */
export const Roles = (...roles: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(ROLES_METADATA, assertNames('Roles', roles));
