import { accessibleBy, createPrismaAbility } from '@casl/prisma/runtime';
import type { WardenAbility } from '../casl.options.js';

/** A rule as `@casl/prisma` reads it: string action and subject type, Prisma-style conditions. */
interface PrismaRule {
  readonly action: string;
  readonly subject: string;
  readonly inverted: boolean;
  readonly conditions?: Record<string, unknown>;
}

/** A Prisma `where` input (`Prisma.PostWhereInput`), as plain data. */
export type PrismaWhere = Record<string, unknown>;

/** MongoDB-style operators and their Prisma names (`@casl/prisma` parses Prisma's). */
const OPERATORS: Readonly<Record<string, string>> = {
  $eq: 'equals',
  $ne: 'not',
  $in: 'in',
  $nin: 'notIn',
  $lt: 'lt',
  $lte: 'lte',
  $gt: 'gt',
  $gte: 'gte',
};

function prismaConditions(conditions: Readonly<Record<string, unknown>>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, condition] of Object.entries(conditions)) {
    if (field.startsWith('$')) {
      throw new TypeError(`toPrismaWhere(): ${where} uses ${field}; write one rule per alternative instead (rules are OR-ed).`);
    }
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition) || condition instanceof Date) {
      out[field] = condition;
      continue;
    }
    const operators: Record<string, unknown> = {};
    for (const [op, value] of Object.entries(condition)) {
      if (!op.startsWith('$')) {
        operators[op] = value; // already Prisma's syntax (e.g. { in: [...] }, a relation filter)
        continue;
      }
      const name = OPERATORS[op];
      if (!name) throw new TypeError(`toPrismaWhere(): ${where} uses ${op} on "${field}", which has no Prisma equivalent here.`);
      operators[name] = value;
    }
    out[field] = operators;
  }
  return out;
}

/**
 * The caller's rules for `action` on `subjectType` as a Prisma `where` input, through `@casl/prisma`
 * (its runtime entry: no generated Prisma client is needed to build the input). Rules written in
 * MongoDB style (`$in`, `$ne`, `$lt`...) have their operators renamed to Prisma's; `$or`/`$and`
 * inside one rule are refused (use one rule per alternative). `{}` when every record is allowed,
 * `null` when none is (then skip the query).
 *
 * ```ts
 * const where = toPrismaWhere(ability, 'read', 'Post');
 * return where ? prisma.post.findMany({ where }) : [];
 * ```
 */
export function toPrismaWhere(ability: WardenAbility, action: string, subjectType: string): PrismaWhere | null {
  const relevant = ability.rulesFor(action, subjectType);
  if (!relevant.some((rule) => !rule.inverted)) return null;
  const rules = relevant
    .slice()
    .reverse() // rulesFor answers highest priority first; a new ability wants them in declaration order
    .map((rule): PrismaRule => {
      const where = `a rule for ${action} on ${subjectType}`;
      const raw = { action, subject: subjectType, inverted: rule.inverted };
      return rule.conditions ? { ...raw, conditions: prismaConditions(rule.conditions, where) } : raw;
    });
  const prismaAbility = createPrismaAbility(rules as Parameters<typeof createPrismaAbility>[0]);
  return (accessibleBy(prismaAbility, action) as { ofType(type: string): unknown }).ofType(subjectType) as PrismaWhere;
}
