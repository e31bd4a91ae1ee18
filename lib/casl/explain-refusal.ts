import type { Principal } from '../principal/principal.js';
import type { WardenAbility } from './casl.options.js';

const OPERATORS: Readonly<Record<string, string>> = {
  $eq: '=',
  $ne: '≠',
  $lt: '<',
  $lte: '≤',
  $gt: '>',
  $gte: '≥',
  $in: 'in',
  $nin: 'not in',
};

const show = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** `teamId = 3 and published = false`: MongoDB-style conditions, read aloud. */
export function describeConditions(conditions: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(conditions)) {
    if (field === '$or' || field === '$and' || field === '$nor') {
      const joined = (condition as Record<string, unknown>[]).map((c) => `(${describeConditions(c)})`);
      parts.push(field === '$nor' ? `not (${joined.join(' or ')})` : joined.join(field === '$or' ? ' or ' : ' and '));
      continue;
    }
    const operators = condition !== null && typeof condition === 'object' && !Array.isArray(condition) ? Object.entries(condition) : [];
    if (operators.length && operators.every(([op]) => op.startsWith('$'))) {
      for (const [op, value] of operators) parts.push(`${field} ${OPERATORS[op] ?? op} ${show(value)}`);
    } else {
      parts.push(`${field} = ${show(condition)}`);
    }
  }
  return parts.join(' and ') || 'always';
}

/** The top-level field names conditions read (for "this Post has ..."). */
function fieldsOf(conditions: Readonly<Record<string, unknown>>, into: Set<string>): Set<string> {
  for (const [field, condition] of Object.entries(conditions)) {
    if (field === '$or' || field === '$and' || field === '$nor') {
      for (const nested of condition as Record<string, unknown>[]) fieldsOf(nested, into);
    } else {
      into.add(field.split('.')[0]);
    }
  }
  return into;
}

/**
 * For the development-mode denial explanations, never for a client: what the rules asked and what
 * the resource had — `needs update on Post where teamId = 3; this Post has teamId = 7 (principal bob)`.
 */
export function explainRefusal(
  ability: WardenAbility,
  principal: Principal,
  action: string,
  subjectType: string,
  resource: Record<string, unknown> | undefined,
): string {
  const who = principal.username ?? principal.id;
  const wanted = `${action} on ${subjectType}`;
  const rules = ability.rulesFor(action, subjectType);
  if (!rules.length) return `${wanted}; no rule of ${who} (roles [${(principal.roles ?? []).join(', ')}]) allows it`;
  const has = (fields: Set<string>) =>
    resource && fields.size ? `; this ${subjectType} has ${[...fields].map((f) => `${f} = ${show(resource[f])}`).join(', ')}` : '';
  if (resource) {
    const decisive = ability.relevantRuleFor(action, resource as never);
    if (decisive?.inverted) {
      const where = decisive.conditions ? ` where ${describeConditions(decisive.conditions)}` : '';
      return `${wanted}, but a cannot rule of ${who} forbids it${where}${has(fieldsOf(decisive.conditions ?? {}, new Set()))}`;
    }
  }
  const allowing = rules.filter((rule) => !rule.inverted);
  const fields = new Set<string>();
  for (const rule of allowing) if (rule.conditions) fieldsOf(rule.conditions, fields);
  const where = allowing.map((rule) => (rule.conditions ? describeConditions(rule.conditions) : 'always')).join(' or ');
  return `${wanted} where ${where} (rules of ${who})${has(fields)}`;
}
