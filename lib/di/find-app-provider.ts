import type { Abstract, Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';

/**
 * An optional provider the app may declare in any of its modules (a `UserDirectory`, an event
 * listener…), or `undefined` when it declares none. Callers decide whether absence is an error and
 * word the fix themselves.
 */
export function findAppProvider<T>(moduleRef: ModuleRef, token: Type<T> | Abstract<T>): T | undefined {
  try {
    return moduleRef.get(token, { strict: false }) ?? undefined;
  } catch {
    return undefined; // Nest throws when no module provides the token
  }
}
