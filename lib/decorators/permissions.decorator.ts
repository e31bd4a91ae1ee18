import { SetMetadata } from '@nestjs/common';
import { permissionProblem } from '../authorization/permission-matcher.js';
import { PERMISSIONS_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

/**
 * The caller needs all of these permissions, granted by its roles (`roles.permissions`, through
 * the hierarchy) or held directly (`Principal.permissions`). Grants may be wildcards (`posts:*`,
 * `*`); a requirement names concrete permissions (`posts:delete`), segments joined by `:`.
 */
export function Permissions(...permissions: string[]): ClassDecorator & MethodDecorator {
  for (const permission of assertNames('Permissions', permissions)) {
    const problem = permissionProblem(permission, 'requirement');
    if (problem) throw new TypeError(`@Permissions(): ${problem}.`);
  }
  return SetMetadata(PERMISSIONS_METADATA, Object.freeze([...permissions]));
}
