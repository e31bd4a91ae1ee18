import { createMongoAbility } from '@casl/ability';
import type { WardenRule } from './casl.options.js';
import { describeConditions } from './explain-refusal.js';
import { filterFields } from './permitted-fields.js';
import { toPrismaWhere } from './prisma/prisma-where.js';
import { toMongoQuery, toSql } from './query-filters.js';

const ability = (...rules: WardenRule[]) => createMongoAbility(rules);

describe('toSql', () => {
  it('binds every value as a parameter and quotes columns (PostgreSQL by default)', () => {
    const rules = ability(
      { action: 'read', subject: 'Post', conditions: { teamId: 3, status: { $in: ['draft', 'review'] } } },
      { action: 'read', subject: 'Post', conditions: { authorId: "x' OR 1=1 --" } },
      { action: 'read', subject: 'Post', inverted: true, conditions: { deleted: true } },
    );
    expect(toSql(rules, 'read', 'Post')).toEqual({
      sql: '(("authorId" = $1 and not ("deleted" = $2)) or ("teamId" = $3 and "status" in($4, $5) and not ("deleted" = $6)))',
      params: ["x' OR 1=1 --", true, 3, 'draft', 'review', true],
    });
  });

  it('writes other dialects and a table alias', () => {
    const rules = ability({ action: 'read', subject: 'Post', conditions: { teamId: { $ne: 3 }, rank: { $gte: 2 } } });
    expect(toSql(rules, 'read', 'Post', { dialect: 'mysql' })).toEqual({ sql: '(`teamId` <> ? and `rank` >= ?)', params: [3, 2] });
    expect(toSql(rules, 'read', 'Post', { alias: 'p' })?.sql).toBe('("p"."teamId" <> $1 and "p"."rank" >= $2)');
  });

  it('answers TRUE when a rule has no condition, and null when nothing is allowed', () => {
    expect(toSql(ability({ action: 'read', subject: 'Post' }), 'read', 'Post')).toEqual({ sql: 'TRUE', params: [] });
    expect(toSql(ability({ action: 'read', subject: 'Post' }, { action: 'read', subject: 'Post', inverted: true }), 'read', 'Post')).toBeNull();
    expect(toSql(ability({ action: 'read', subject: 'User' }), 'read', 'Post')).toBeNull();
    expect(
      toSql(ability({ action: 'read', subject: 'Post' }, { action: 'read', subject: 'Post', inverted: true, conditions: { hidden: true } }), 'read', 'Post'),
    ).toEqual({ sql: 'not ("hidden" = $1)', params: [true] });
  });

  it('refuses nested fields and $elemMatch, which have no column', () => {
    expect(() => toSql(ability({ action: 'read', subject: 'Post', conditions: { 'author.name': 'x' } }), 'read', 'Post')).toThrow(
      /"author\.name" reads a nested field/,
    );
    expect(() => toSql(ability({ action: 'read', subject: 'Post', conditions: { tags: { $elemMatch: { a: 1 } } } }), 'read', 'Post')).toThrow(
      /\$elemMatch on "tags"/,
    );
    expect(() => toSql(ability({ action: 'read', subject: 'Post' }), 'read', 'Post', { dialect: 'db2' as never })).toThrow(/unknown dialect/);
  });
});

describe('toMongoQuery', () => {
  it('ORs the can rules, each bounded by the later cannot rules; {} for all, null for none', () => {
    const rules = ability(
      { action: 'read', subject: 'Post', conditions: { teamId: 3 } },
      { action: 'read', subject: 'Post', inverted: true, conditions: { deleted: true } },
    );
    expect(toMongoQuery(rules, 'read', 'Post')).toEqual({ $or: [{ $and: [{ teamId: 3 }, { $nor: [{ deleted: true }] }] }] });
    expect(toMongoQuery(ability({ action: 'read', subject: 'Post' }), 'read', 'Post')).toEqual({});
    expect(toMongoQuery(ability(), 'read', 'Post')).toBeNull();
  });
});

describe('toPrismaWhere', () => {
  it('renames MongoDB operators to Prisma’s and refuses $or inside a rule', () => {
    const rules = ability(
      { action: 'read', subject: 'Post', conditions: { teamId: { $in: [3, 7] }, status: { $ne: 'archived' } } },
      { action: 'read', subject: 'Post', inverted: true, conditions: { deleted: true } },
    );
    expect(toPrismaWhere(rules, 'read', 'Post')).toEqual({
      OR: [{ AND: [{ teamId: { in: [3, 7] }, status: { not: 'archived' } }, { NOT: { deleted: true } }] }],
    });
    expect(toPrismaWhere(ability(), 'read', 'Post')).toBeNull();
    expect(() => toPrismaWhere(ability({ action: 'read', subject: 'Post', conditions: { $or: [{ a: 1 }] } }), 'read', 'Post')).toThrow(
      /uses \$or; write one rule per alternative/,
    );
  });
});

describe('describeConditions', () => {
  it('reads conditions aloud for the denial explanations', () => {
    expect(describeConditions({ teamId: 3, published: false })).toBe('teamId = 3 and published = false');
    expect(describeConditions({ status: { $in: ['a', 'b'] }, rank: { $gte: 2 } })).toBe('status in ["a","b"] and rank ≥ 2');
    expect(describeConditions({ $or: [{ a: 1 }, { b: 2 }] })).toBe('(a = 1) or (b = 2)');
    expect(describeConditions({})).toBe('always');
  });
});

describe('filterFields', () => {
  const rules = ability(
    { action: 'read', subject: 'User', fields: ['id', 'name'] },
    { action: 'read', subject: 'User', fields: ['email'], conditions: { team: 3 } },
  );

  it('keeps, per item, the fields its rules allow (conditions included)', () => {
    const users = [
      { id: 'a', name: 'A', email: 'a@example.com', team: 3 },
      { id: 'b', name: 'B', email: 'b@example.com', team: 7 },
    ];
    expect(filterFields(rules, 'read', 'User', users)).toEqual([
      { id: 'a', name: 'A', email: 'a@example.com' },
      { id: 'b', name: 'B' },
    ]);
    expect(users[1]).toEqual({ id: 'b', name: 'B', email: 'b@example.com', team: 7 }); // the handler's objects are not touched
  });

  it('drops array items with no readable field, answers {} for such an object, leaves non-objects alone', () => {
    const none = ability({ action: 'read', subject: 'Post' });
    expect(filterFields(none, 'read', 'User', [{ id: 'a' }, 'text', 3])).toEqual(['text', 3]);
    expect(filterFields(none, 'read', 'User', { id: 'a', secret: 's' })).toEqual({});
    expect(filterFields(rules, 'read', 'User', null)).toBeNull();
  });
});
