import type { MongoQuery } from '@casl/ability';
import { rulesToAST, rulesToCondition } from '@casl/ability/extra';
import type * as UcastSql from '@ucast/sql';
import type { DialectOptions, UcastCondition } from '@ucast/sql';
import { createRequire } from 'node:module';
import type { WardenAbility } from './casl.options.js';

/**
 * The caller's rules for `action` on `subjectType` as one MongoDB-style filter (`$or` of the `can`
 * rules, each bounded by the later `cannot` rules): `{}` when every record is allowed, `null` when
 * none is (then skip the query and answer an empty list).
 */
export function toMongoQuery(ability: WardenAbility, action: string, subjectType: string): MongoQuery | null {
  return rulesToCondition<WardenAbility, MongoQuery, MongoQuery>(
    ability.rulesFor(action, subjectType),
    (rule) => (rule.inverted ? { $nor: [rule.conditions ?? {}] } : (rule.conditions ?? {})) as MongoQuery,
    {
      and: (conditions) => ({ $and: conditions }) as MongoQuery,
      or: (conditions) => ({ $or: conditions }) as MongoQuery,
      empty: () => ({}),
    },
  );
}

/** SQL dialects `toSql` writes. */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite' | 'mssql' | 'oracle';

/**
 * `@ucast/sql`, loaded on the first `toSql()`: it is not a declared peer dependency, because its own
 * optional peers (typeorm 0.2, sequelize 5/6...) make npm refuse to install apps whose trees hold
 * other versions of those (ERESOLVE). Install it yourself for `toSql()`.
 */
let sqlLibrary: { readonly dialects: Readonly<Record<SqlDialect, DialectOptions>>; readonly interpret: ReturnType<typeof UcastSql.createSqlInterpreter> } | undefined;

function ucastSql(): NonNullable<typeof sqlLibrary> {
  if (sqlLibrary) return sqlLibrary;
  let library: typeof UcastSql;
  try {
    library = createRequire(import.meta.url)('@ucast/sql') as typeof UcastSql;
  } catch (cause) {
    throw new Error('nest-warden/casl: toSql() needs the @ucast/sql package. Install it: npm install @ucast/sql@1.0.0-alpha.12', { cause });
  }
  const { pg, mysql, sqlite, mssql, oracle } = library;
  sqlLibrary = { dialects: { postgres: pg, mysql, sqlite, mssql, oracle }, interpret: library.createSqlInterpreter(library.allInterpreters) };
  return sqlLibrary;
}

/** `toSql()`. */
export interface SqlFilterOptions {
  /** Default `'postgres'` (`$1, $2...` placeholders). */
  readonly dialect?: SqlDialect;
  /** Prefix columns with this table alias: `"p"."teamId"`. */
  readonly alias?: string;
}

/** A `WHERE` clause and its parameters, in the dialect's placeholder style. */
export interface SqlFilter {
  /** The condition, for after `WHERE` (or `AND`). */
  readonly sql: string;
  /** Its values, in placeholder order: pass them to your driver as bound parameters. */
  readonly params: readonly unknown[];
}

/**
 * The caller's rules for `action` on `subjectType` as a SQL condition with bound parameters (via
 * `@ucast/sql`): `{ sql: 'TRUE', params: [] }` when every row is allowed, `null` when none is.
 * Columns are the rules' condition fields, quoted by the dialect; values are always parameters.
 * Conditions on nested fields (`author.name`, `$elemMatch`) have no column and are refused with a
 * `TypeError`. SQL's NULL logic applies: `cannot ... { published: true }` becomes
 * `NOT ("published" = $1)`, which a row with `published` NULL does not satisfy either.
 */
export function toSql(ability: WardenAbility, action: string, subjectType: string, options: SqlFilterOptions = {}): SqlFilter | null {
  const { dialects, interpret } = ucastSql();
  const dialect = dialects[options.dialect ?? 'postgres'];
  if (!dialect) throw new TypeError(`toSql(): unknown dialect ${JSON.stringify(options.dialect)}; use one of ${Object.keys(dialects).join(', ')}.`);
  const ast = rulesToAST(ability, action, subjectType) as UcastCondition | null;
  if (ast === null) return null;
  const condition = simplify(ast);
  if (condition === true) return { sql: 'TRUE', params: [] };
  if (condition === false) return null;
  const [sql, params] = interpret(condition, { ...dialect, ...(options.alias ? { rootAlias: options.alias } : {}) });
  return { sql, params };
}

/** Folds empty `and` (no condition: always true) and its consequences, which @ucast/sql would print as `()`. */
function simplify(node: UcastCondition): UcastCondition | boolean {
  switch (node.operator) {
    case 'and':
    case 'or': {
      const isAnd = node.operator === 'and';
      const kept: UcastCondition[] = [];
      for (const child of node.value as UcastCondition[]) {
        const simple = simplify(child);
        if (simple === !isAnd) return !isAnd; // or(true, ...) is true; and(false, ...) is false
        if (simple !== isAnd) kept.push(simple as UcastCondition);
      }
      if (!kept.length) return isAnd;
      return kept.length === 1 ? kept[0] : { operator: node.operator, value: kept };
    }
    case 'not': {
      const [inner] = node.value as UcastCondition[];
      const simple = simplify(inner);
      return typeof simple === 'boolean' ? !simple : { operator: 'not', value: [simple] };
    }
    case 'elemMatch':
      throw new TypeError(`toSql(): $elemMatch on "${node.field}" has no SQL column; filter such rules in your query yourself.`);
    default:
      if (node.field?.includes('.')) {
        throw new TypeError(`toSql(): the condition on "${node.field}" reads a nested field, which has no SQL column.`);
      }
      return node;
  }
}
