import { anyGrantCovers, grantCovers, permissionProblem } from './permission-matcher.js';

describe('grantCovers', () => {
  it.each([
    ['posts:read', 'posts:read'],
    ['*', 'posts:read'],
    ['*', 'posts'],
    ['*', 'a:b:c:d'],
    ['posts:*', 'posts:read'],
    ['posts:*', 'posts:comments:delete'],
    ['posts:comments:*', 'posts:comments:delete'],
    ['posts:*:read', 'posts:42:read'],
    ['posts:*:*', 'posts:42:read'],
    ['posts:*:*', 'posts:42:comments:read'],
    ['*:read', 'posts:read'],
    ['*:read', 'comments:read'],
    ['a:*:c:*', 'a:b:c:d:e'],
  ])('%s grants %s', (grant, required) => {
    expect(grantCovers(grant, required)).toBe(true);
  });

  it.each([
    // Separators are exact: a prefix of a segment is not the segment.
    ['posts:*', 'postsecret:read'],
    ['posts:*', 'posts'],
    ['posts', 'posts:read'],
    ['posts:read', 'posts:read:all'],
    ['posts:read', 'posts:rea'],
    ['posts:read', 'posts:reads'],
    ['posts:read', 'Posts:read'],
    ['posts:*:read', 'posts:read'],
    ['posts:*:read', 'posts:42:comments:read'],
    ['posts:*:read', 'posts:42:write'],
    ['*:read', 'read'],
    ['*:read', 'posts:comments:read'],
    ['posts:*:*', 'posts:42'],
    ['a:*:c:*', 'a:b:c'],
    // Malformed grants (as a token could carry them) grant nothing beyond their literal value.
    ['posts*', 'posts:read'],
    ['posts*', 'postsecret'],
    ['post*:read', 'posts:read'],
    ['posts:re*', 'posts:read'],
    ['posts::read', 'posts:read'],
    ['posts:', 'posts:read'],
    [':*', 'posts:read'],
    ['', 'posts'],
    ['**', 'posts'],
    [' *', 'posts'],
    ['posts:* ', 'posts:read'],
  ])('%s does not grant %s', (grant, required) => {
    expect(grantCovers(grant, required)).toBe(false);
  });

  it('grants nothing for an empty requirement', () => {
    expect(grantCovers('*', '')).toBe(false);
    expect(grantCovers('posts:*', '')).toBe(false);
  });
});

describe('anyGrantCovers', () => {
  it('is true when one grant covers the requirement', () => {
    expect(anyGrantCovers(['comments:read', 'posts:*'], 'posts:delete')).toBe(true);
  });
  it('is false for no grants or only non-covering ones', () => {
    expect(anyGrantCovers([], 'posts:delete')).toBe(false);
    expect(anyGrantCovers(['posts:read', 'post:*', 'postsecret:*'], 'posts:delete')).toBe(false);
  });
});

describe('permissionProblem', () => {
  it.each(['posts', 'posts:read', 'posts:comments:delete', 'a.b:c-d:e_f', 'tenant/42:read'])(
    'accepts %s as a grant and as a requirement',
    (text) => {
      expect(permissionProblem(text, 'grant')).toBeUndefined();
      expect(permissionProblem(text, 'requirement')).toBeUndefined();
    },
  );

  it.each(['*', 'posts:*', 'posts:*:read', '*:read', 'posts:*:*'])('accepts %s as a grant only', (text) => {
    expect(permissionProblem(text, 'grant')).toBeUndefined();
    expect(permissionProblem(text, 'requirement')).toMatch(/wildcard "\*".*concrete permission/);
  });

  it.each([
    ['posts*', /inside a segment/],
    ['posts:re*', /inside a segment/],
    ['**', /inside a segment/],
    ['posts::read', /empty segment/],
    [':read', /empty segment/],
    ['posts:', /empty segment/],
    ['posts: read', /whitespace/],
    [' posts:read', /whitespace/],
    ['posts:read\n', /whitespace/],
    ['posts:\u0000read', /control/],
    ['', /non-empty string/],
  ])('refuses %j', (text, problem) => {
    expect(permissionProblem(text, 'grant')).toMatch(problem);
    expect(permissionProblem(text, 'requirement')).toMatch(problem);
  });

  it('refuses non-strings', () => {
    expect(permissionProblem(undefined, 'grant')).toMatch(/non-empty string/);
    expect(permissionProblem(42, 'grant')).toMatch(/^42 is not/);
    expect(permissionProblem(['posts:read'], 'requirement')).toMatch(/non-empty string/);
  });
});
