import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { AbilityAuthority } from '../authorization/ability-authority.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { CASL_OPTIONS, CaslAbilities } from './casl-abilities.js';
import { AbilityFactory, type CaslModuleOptions } from './casl.options.js';
import { PermittedFieldsInterceptor } from './permitted-fields.js';

/**
 * `@Can()`, `@PermittedFields()` and query filters on `@casl/ability`. Import it beside
 * `AuthModule.forRoot()`; it is global, so `CaslAbilities` is injectable everywhere:
 *
 * ```ts
 * CaslModule.forRoot({
 *   roles: {
 *     viewer: [{ action: 'read', subject: 'Post', conditions: { published: true } }],
 *     editor: (principal) => [{ action: 'update', subject: 'Post', conditions: { teamId: principal.claims?.teamId } }],
 *   },
 * })
 * ```
 */
@Module({})
export class CaslModule {
  /** The module with its rules; bad rules fail here, at import, with the fix in the message. */
  static forRoot(options: CaslModuleOptions = {}): DynamicModule {
    const frozen = Object.freeze({ ...validate(options) });
    const providers: Provider[] = [
      { provide: CASL_OPTIONS, useValue: frozen },
      CaslAbilities,
      { provide: AbilityAuthority, useExisting: CaslAbilities },
      PermittedFieldsInterceptor,
    ];
    if (frozen.factory) providers.push(frozen.factory, { provide: AbilityFactory, useExisting: frozen.factory });
    return {
      module: CaslModule,
      global: true,
      providers,
      exports: [CaslAbilities, AbilityAuthority, PermittedFieldsInterceptor],
    };
  }
}

function validate(options: CaslModuleOptions): CaslModuleOptions {
  if (options === null || typeof options !== 'object') {
    throw AuthConfigurationError.create('CaslModule.forRoot() takes an object.', "Pass e.g. { roles: { viewer: [{ action: 'read', subject: 'Post' }] } }.");
  }
  const roles = options.roles ?? {};
  if (roles === null || typeof roles !== 'object' || Array.isArray(roles)) {
    throw AuthConfigurationError.create('CaslModule roles must be an object.', "Write it as { viewer: [{ action: 'read', subject: 'Post' }] }.");
  }
  for (const [role, rules] of Object.entries(roles)) checkRules(rules, `CaslModule roles.${role}`);
  if (options.authenticated !== undefined) checkRules(options.authenticated, 'CaslModule authenticated');
  if (options.factory !== undefined && typeof options.factory !== 'function') {
    throw AuthConfigurationError.create('CaslModule factory must be a class.', 'Name an @Injectable() that extends AbilityFactory, e.g. factory: PostRules.');
  }
  return options;
}

function checkRules(rules: unknown, where: string): void {
  if (typeof rules === 'function') return;
  if (!Array.isArray(rules)) {
    throw AuthConfigurationError.create(`${where} must be an array of rules or a function of the principal.`, "Write e.g. [{ action: 'read', subject: 'Post' }].");
  }
  for (const rule of rules as unknown[]) {
    const { action, subject } = (rule ?? {}) as { action?: unknown; subject?: unknown };
    const named = (value: unknown) => typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!named(action) || !named(subject)) {
      throw AuthConfigurationError.create(
        `${where} has a rule without a string action and subject: ${JSON.stringify(rule)}.`,
        "Each rule names them, e.g. { action: 'update', subject: 'Post', conditions: { teamId: 7 } }.",
      );
    }
  }
}
