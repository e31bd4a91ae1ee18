/**
 * Permission strings and how a grant covers a requirement.
 *
 * A permission is a list of segments joined by `:` (`posts:comments:delete`). Matching is by
 * whole segments and case-sensitive; a grant may use `*` as a whole segment:
 *
 * - `*` as the LAST segment covers one or more segments there: `posts:*` grants `posts:read` and
 *   `posts:comments:delete`, but not `posts` itself nor `postsecret:read`. `*` alone grants all.
 * - `*` anywhere else covers exactly one segment: `posts:*:read` grants `posts:42:read`, not
 *   `posts:read` nor `posts:42:comments:read`.
 * - `*` inside a segment (`posts*`, `posts:re*`) is not a wildcard: such grants are refused at boot
 *   (and, coming from a token, match nothing that a route can require).
 *
 * A requirement (`@Permissions(...)`) names one concrete permission: no `*`.
 */

export const PERMISSION_SEPARATOR = ':';
export const PERMISSION_WILDCARD = '*';

const WILDCARD = 0x2a; // '*'
/** Whitespace and control characters: never part of a permission (a stray space is a typo). */
function hasWhitespaceOrControl(text: string): boolean {
  if (/\s/.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export type PermissionKind = 'grant' | 'requirement';

/** Why `text` is not a valid permission of this kind, or `undefined` when it is. */
export function permissionProblem(text: unknown, kind: PermissionKind): string | undefined {
  if (typeof text !== 'string' || text === '') return `${JSON.stringify(text) ?? String(text)} is not a non-empty string`;
  if (hasWhitespaceOrControl(text)) return `${JSON.stringify(text)} contains whitespace or control characters`;
  for (const segment of text.split(PERMISSION_SEPARATOR)) {
    if (segment === '') return `${JSON.stringify(text)} has an empty segment (segments are separated by a single ":")`;
    if (segment === PERMISSION_WILDCARD) {
      if (kind === 'requirement') {
        return `${JSON.stringify(text)} contains the wildcard "*"; a requirement names one concrete permission (wildcards belong in grants)`;
      }
    } else if (segment.includes(PERMISSION_WILDCARD)) {
      return `${JSON.stringify(text)} uses "*" inside a segment; "*" is only a wildcard as a whole segment, e.g. "posts:*"`;
    }
  }
  return undefined;
}

/**
 * Whether `grant` covers the concrete permission `required`. Allocation-free: it walks both
 * strings segment by segment (it runs on every request for permissions held by the principal).
 */
export function grantCovers(grant: string, required: string): boolean {
  if (grant === required) return true;
  const grantLength = grant.length;
  const requiredLength = required.length;
  if (requiredLength === 0) return false;
  // Most grants a principal holds are about something else: reject them on the first character.
  const first = grant.charCodeAt(0);
  if (first !== WILDCARD && first !== required.charCodeAt(0)) return false;
  let g = 0;
  let r = 0;
  for (;;) {
    let gEnd = grant.indexOf(PERMISSION_SEPARATOR, g);
    if (gEnd === -1) gEnd = grantLength;
    let rEnd = required.indexOf(PERMISSION_SEPARATOR, r);
    if (rEnd === -1) rEnd = requiredLength;
    const segmentLength = gEnd - g;
    if (segmentLength === 1 && grant.charCodeAt(g) === WILDCARD) {
      // A trailing `*` covers this segment and every one after it.
      if (gEnd === grantLength) return true;
    } else {
      if (segmentLength !== rEnd - r) return false;
      for (let i = 0; i < segmentLength; i++) {
        if (grant.charCodeAt(g + i) !== required.charCodeAt(r + i)) return false;
      }
    }
    const grantDone = gEnd === grantLength;
    const requiredDone = rEnd === requiredLength;
    if (grantDone || requiredDone) return grantDone && requiredDone;
    g = gEnd + 1;
    r = rEnd + 1;
  }
}

/** Whether any of `grants` covers `required`. */
export function anyGrantCovers(grants: readonly string[], required: string): boolean {
  for (let i = 0; i < grants.length; i++) if (grantCovers(grants[i], required)) return true;
  return false;
}
