import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { RoleOptions } from './role.options.js';
import { anyGrantCovers, permissionProblem } from './permission-matcher.js';

const NO_GRANTS: readonly string[] = Object.freeze([]);

/**
 * The role hierarchy and role grants of `forRoot({ roles })`, computed once at boot.
 *
 * `hierarchy: { admin: ['editor'], editor: ['viewer'] }` means an admin is also an editor and a
 * viewer: each role's closure (itself and everything it implies, transitively) is precomputed, so
 * no request ever walks the graph. Cycles are refused at boot. Roles that appear nowhere in the
 * configuration (e.g. straight from an identity provider) imply only themselves and grant nothing.
 *
 * `permissions: { editor: ['posts:*'] }` grants flow down the hierarchy: an admin holds the
 * editor's grants too.
 */
export class RoleHierarchy {
  private constructor(
    private readonly closures: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly grants: ReadonlyMap<string, readonly string[]>,
    /** Whether `roles.hierarchy` names any role (then `@Roles()` names outside it are worth a warning). */
    readonly hasHierarchy: boolean,
  ) {}

  /** Validates `options` and computes every closure; throws `AuthConfigurationError` on bad input. */
  static compile(options: RoleOptions | undefined = {}): RoleHierarchy {
    if (options === null || typeof options !== 'object') {
      throw AuthConfigurationError.create('roles must be an object.', 'Pass e.g. roles: { hierarchy: { admin: ["editor"] } }.');
    }
    const edges = readHierarchy(options.hierarchy);
    const direct = readGrants(options.permissions);
    const closures = computeClosures(edges, direct.keys());
    const grants = new Map<string, readonly string[]>();
    for (const [role, implied] of closures) {
      const collected = new Set<string>();
      for (const member of implied) for (const grant of direct.get(member) ?? NO_GRANTS) collected.add(grant);
      grants.set(role, collected.size ? Object.freeze([...collected]) : NO_GRANTS);
    }
    return new RoleHierarchy(closures, grants, edges.size > 0);
  }

  /** Every role named in the configuration. */
  get roles(): readonly string[] {
    return [...this.closures.keys()];
  }

  /** `role` and every role it implies. A role unknown to the configuration implies only itself. */
  implied(role: string): ReadonlySet<string> {
    return this.closures.get(role) ?? new Set([role]);
  }

  /** Whether holding `role` means holding `other` too (every role implies itself). */
  implies(role: string, other: string): boolean {
    return role === other || this.closures.get(role)?.has(other) === true;
  }

  /** The union of the closures of `roles`. */
  expand(roles: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const role of roles) for (const member of this.implied(role)) out.add(member);
    return out;
  }

  /** Grants `role` carries, its own and those of every role it implies (wildcards as configured). */
  grantsOf(role: string): readonly string[] {
    return this.grants.get(role) ?? NO_GRANTS;
  }

  /**
   * The roles that satisfy "any of `required`": the required roles themselves and every
   * configured role that implies one of them. Computed per route at boot, so the request-time
   * check is one `Set.has` per role the caller holds.
   */
  rolesSatisfying(required: readonly string[]): ReadonlySet<string> {
    const out = new Set(required);
    for (const [role, implied] of this.closures) {
      for (const wanted of required) {
        if (implied.has(wanted)) {
          out.add(role);
          break;
        }
      }
    }
    return out;
  }

  /** The configured roles whose grants (through the hierarchy) cover the concrete `permission`. */
  rolesGranting(permission: string): ReadonlySet<string> {
    const out = new Set<string>();
    for (const [role, grants] of this.grants) if (anyGrantCovers(grants, permission)) out.add(role);
    return out;
  }
}

function assertRoleName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '' || name !== name.trim()) {
    throw AuthConfigurationError.create(
      `${where}: ${JSON.stringify(name) ?? String(name)} is not a role name.`,
      'Role names are non-empty strings without surrounding spaces.',
    );
  }
}

function readRecord(value: unknown, where: string, example: string): [string, unknown][] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw AuthConfigurationError.create(`${where} must be an object.`, `Write it as ${example}.`);
  }
  return Object.entries(value);
}

function readList(value: unknown, where: string, example: string): readonly unknown[] {
  if (!Array.isArray(value)) throw AuthConfigurationError.create(`${where} must be an array.`, `Write it as ${example}.`);
  return value;
}

function readHierarchy(hierarchy: unknown): Map<string, readonly string[]> {
  const example = '{ admin: ["editor"], editor: ["viewer"] }';
  const edges = new Map<string, readonly string[]>();
  for (const [role, implied] of readRecord(hierarchy, 'roles.hierarchy', example)) {
    assertRoleName(role, 'roles.hierarchy');
    const children = readList(implied, `roles.hierarchy.${role}`, example);
    for (const child of children) assertRoleName(child, `roles.hierarchy.${role}`);
    edges.set(role, [...new Set(children as string[])]);
  }
  return edges;
}

function readGrants(permissions: unknown): Map<string, readonly string[]> {
  const example = '{ editor: ["posts:*"], viewer: ["posts:read"] }';
  const grants = new Map<string, readonly string[]>();
  for (const [role, list] of readRecord(permissions, 'roles.permissions', example)) {
    assertRoleName(role, 'roles.permissions');
    const items = readList(list, `roles.permissions.${role}`, example);
    for (const grant of items) {
      const problem = permissionProblem(grant, 'grant');
      if (problem) {
        throw AuthConfigurationError.create(
          `roles.permissions.${role}: ${problem}.`,
          'Write grants as segments joined by ":" with "*" only as a whole segment, e.g. "posts:read", "posts:*" or "*".',
        );
      }
    }
    grants.set(role, items as string[]);
  }
  return grants;
}

/**
 * Each role's closure, by an iterative depth-first walk: a role is finished
 * once all it implies is finished; meeting a role that is still open is a cycle.
 */
function computeClosures(edges: ReadonlyMap<string, readonly string[]>, extra: Iterable<string>): Map<string, ReadonlySet<string>> {
  const closures = new Map<string, Set<string>>();
  const open = new Set<string>();
  const all = new Set<string>(extra);
  for (const [role, children] of edges) {
    all.add(role);
    for (const child of children) all.add(child);
  }
  for (const start of all) {
    if (closures.has(start)) continue;
    const path: string[] = [start];
    const next: number[] = [0];
    open.add(start);
    while (path.length) {
      const role = path[path.length - 1];
      const children = edges.get(role) ?? [];
      const index = next[next.length - 1]++;
      if (index < children.length) {
        const child = children[index];
        if (open.has(child)) {
          const cycle = [...path.slice(path.indexOf(child)), child].join(' → ');
          throw AuthConfigurationError.create(
            `roles.hierarchy has a cycle: ${cycle}.`,
            'A role cannot imply itself, directly or through other roles; remove one link of the cycle.',
          );
        }
        if (!closures.has(child)) {
          path.push(child);
          next.push(0);
          open.add(child);
        }
        continue;
      }
      const closure = new Set<string>([role]);
      for (const child of children) for (const member of closures.get(child)!) closure.add(member);
      closures.set(role, closure);
      open.delete(role);
      path.pop();
      next.pop();
    }
  }
  return closures;
}
