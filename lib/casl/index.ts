// `nest-warden/casl`: conditions on resources and fields, and query filters, on @casl/ability (an
// optional peer dependency). Kept out of the main entry point so applications without CASL never load it.
export { Can, type CanOptions } from '../decorators/can.decorator.js';
export { AbilityAuthority, type CanRequirement, type ResourceLoader } from '../authorization/ability-authority.js';
export { CaslModule } from './casl.module.js';
export { AbilityFactory, type CaslModuleOptions, type RoleRules, type WardenAbility, type WardenRule } from './casl.options.js';
export { CaslAbilities, type WardenSubject, subjectOf } from './casl-abilities.js';
export { CurrentAbility } from './current-ability.decorator.js';
export { PermittedFields, PermittedFieldsInterceptor, type PermittedFieldsOptions, filterFields } from './permitted-fields.js';
export { toMongoQuery, toSql, type SqlDialect, type SqlFilter, type SqlFilterOptions } from './query-filters.js';
