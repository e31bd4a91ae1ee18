import { applyDecorators, type Type } from '@nestjs/common';
import { AuthConfigurationError } from '../errors/configuration.error.js';

/**
 * Applies route decorators to a method of a controller class built at runtime, so the module's
 * own endpoints can be mounted at paths chosen in `forRoot()` extras (or not at all).
 */
export function defineRoute(controller: Type, method: string, ...decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, method);
  if (!descriptor) throw new TypeError(`nest-warden: ${controller.name} has no method ${method}`);
  applyDecorators(...decorators)(controller.prototype, method, descriptor);
}

/** `true` → the defaults; an object → its paths over the defaults (`false` leaves a route out). */
export function resolveEndpoints<T extends { readonly [K in keyof T]: string | false }>(
  given: boolean | Partial<T> | undefined,
  defaults: T,
): T | undefined {
  if (given === undefined || given === false) return undefined;
  const merged = { ...defaults, ...(given === true ? {} : given) } as T;
  for (const [key, path] of Object.entries(merged)) {
    if (path !== false && (typeof path !== 'string' || !path.startsWith('/'))) {
      throw AuthConfigurationError.create(
        `the endpoint "${key}" is set to ${JSON.stringify(path)}.`,
        'Give a path starting with "/", or false to leave the route out.',
      );
    }
  }
  return merged;
}
