import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef, Reflector } from '@nestjs/core';
import { permittedFieldsOf } from '@casl/ability/extra';
import { from, map, mergeMap, type Observable } from 'rxjs';
import { AuthError } from '../errors/auth.error.js';
import { throwHttpDenial } from '../http/http-denials.js';
import type { AuthRequest } from '../request/auth-request.js';
import { getOwnedResource } from '../request/request-state.js';
import { CoreSettings } from '../settings/core-settings.js';
import { isPromise } from '../utils/maybe-promise.js';
import { CaslAbilities, subjectOf } from './casl-abilities.js';
import type { WardenAbility } from './casl.options.js';

const PERMITTED_FIELDS_METADATA = Symbol('nest-warden:permitted-fields');

/** `@PermittedFields()`. */
export interface PermittedFieldsOptions {
  /** The action whose field rules filter the response; `false`: leave the response alone. Default `'read'`. */
  readonly read?: string | false;
  /**
   * The action whose field rules the request body must respect (e.g. `'update'`): a body naming a
   * field the caller may not write is refused with 403 naming the fields. Checked against the
   * resource the guard loaded (`@Can(..., { resource })` or `@Owner()`), else against the body itself.
   */
  readonly write?: string;
}

interface PermittedFieldsMetadata {
  readonly subject: string;
  readonly read: string | false;
  readonly write: string | undefined;
}

/**
 * Field-level rules on one route (opt-in): the response (an object or an array of objects) keeps
 * only the top-level fields the caller may `read` on each item (CASL `permittedFieldsOf`; an array
 * drops the items of which no field may be read), and with `write`, a body with fields the caller
 * may not write is refused: 403 `Forbidden fields: email, role`. HTTP routes only.
 */
export function PermittedFields(subject: string, options: PermittedFieldsOptions = {}): MethodDecorator & ClassDecorator {
  if (typeof subject !== 'string' || subject.trim() === '') {
    throw new TypeError("@PermittedFields() needs the subject type, e.g. @PermittedFields('User').");
  }
  const metadata: PermittedFieldsMetadata = Object.freeze({ subject, read: options.read ?? 'read', write: options.write });
  return applyDecorators(SetMetadata(PERMITTED_FIELDS_METADATA, metadata), UseInterceptors(PermittedFieldsInterceptor));
}

/** Applies `@PermittedFields()`; the decorator registers it on the route (`CaslModule` provides it). */
@Injectable()
export class PermittedFieldsInterceptor implements NestInterceptor {
  private settings?: CoreSettings;
  private adapterHost?: HttpAdapterHost;

  /** Created by Nest; not part of the public API. @internal */
  constructor(
    private readonly reflector: Reflector,
    private readonly abilities: CaslAbilities,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Checks the body (`write`), then cuts the response (`read`), as the route's `@PermittedFields()` says. */
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<PermittedFieldsMetadata | undefined>(PERMITTED_FIELDS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<AuthRequest & { body?: unknown }>();
    const response = http.getResponse<unknown>();
    const ability = this.abilities.forRequest(request);
    if (isPromise(ability)) return from(ability).pipe(mergeMap((built) => this.apply(built, options, request, response, next)));
    return this.apply(ability, options, request, response, next);
  }

  private apply(
    ability: WardenAbility,
    options: PermittedFieldsMetadata,
    request: AuthRequest & { body?: unknown },
    response: unknown,
    next: CallHandler,
  ): Observable<unknown> {
    if (options.write !== undefined) this.checkWrite(ability, options.subject, options.write, request, response);
    const read = options.read;
    if (read === false) return next.handle();
    return next.handle().pipe(map((data) => filterFields(ability, read, options.subject, data)));
  }

  private checkWrite(
    ability: WardenAbility,
    type: string,
    action: string,
    request: AuthRequest & { body?: unknown },
    response: unknown,
  ): void {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const loaded = getOwnedResource(request);
    const target = subjectOf(type, loaded ?? body);
    const forbidden = Object.keys(body).filter((field) => !ability.can(action, target, field));
    if (!forbidden.length) return;
    // The names come from the request body: only plain field names are echoed back.
    const named = forbidden.map((field) => (/^[\w$.-]{1,64}$/.test(field) ? field : '(unnamed field)'));
    this.settings ??= this.moduleRef.get(CoreSettings, { strict: false });
    this.adapterHost ??= this.moduleRef.get(HttpAdapterHost, { strict: false });
    const adapter = this.adapterHost.httpAdapter;
    // The same answer as the guard's: the configured body format and its headers (problem+json's Content-Type).
    throwHttpDenial(
      new AuthError('forbidden', { description: `Forbidden fields: ${[...new Set(named)].join(', ')}` }),
      this.settings.errorResponse,
      (name, value) => adapter.setHeader(response, name, value),
    );
  }
}

/** `data` with only the fields `action` permits on each item (an array drops items with none). */
export function filterFields(ability: WardenAbility, action: string, type: string, data: unknown): unknown {
  if (Array.isArray(data)) {
    const out: unknown[] = [];
    for (const item of data) {
      const kept = filterItem(ability, action, type, item);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  if (data === null || typeof data !== 'object') return data;
  return filterItem(ability, action, type, data) ?? {};
}

function filterItem(ability: WardenAbility, action: string, type: string, item: unknown): unknown {
  if (item === null || typeof item !== 'object') return item;
  const all = Object.keys(item);
  const permitted = permittedFieldsOf(ability, action, subjectOf(type, item), { fieldsFrom: (rule) => rule.fields ?? all });
  if (!permitted.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const field of permitted) if (Object.hasOwn(item, field)) out[field] = (item as Record<string, unknown>)[field];
  return out;
}
