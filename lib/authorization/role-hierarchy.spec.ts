import type { RoleOptions } from './role.options.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { RoleHierarchy } from './role-hierarchy.js';

const sorted = (set: ReadonlySet<string>) => [...set].sort();

describe('RoleHierarchy', () => {
  describe('expansion', () => {
    const hierarchy = RoleHierarchy.compile({
      hierarchy: { admin: ['editor'], editor: ['viewer'], auditor: ['viewer'] },
    });

    it('computes the transitive closure of each role, itself included', () => {
      expect(sorted(hierarchy.implied('admin'))).toEqual(['admin', 'editor', 'viewer']);
      expect(sorted(hierarchy.implied('editor'))).toEqual(['editor', 'viewer']);
      expect(sorted(hierarchy.implied('viewer'))).toEqual(['viewer']);
      expect(sorted(hierarchy.implied('auditor'))).toEqual(['auditor', 'viewer']);
    });

    it('lists every role named in the configuration', () => {
      expect([...hierarchy.roles].sort()).toEqual(['admin', 'auditor', 'editor', 'viewer']);
    });

    it('answers implies() downwards only', () => {
      expect(hierarchy.implies('admin', 'viewer')).toBe(true);
      expect(hierarchy.implies('admin', 'admin')).toBe(true);
      expect(hierarchy.implies('viewer', 'admin')).toBe(false);
      expect(hierarchy.implies('auditor', 'editor')).toBe(false);
    });

    it('treats roles unknown to the configuration as implying only themselves', () => {
      expect(sorted(hierarchy.implied('intern'))).toEqual(['intern']);
      expect(hierarchy.implies('intern', 'intern')).toBe(true);
      expect(hierarchy.implies('intern', 'viewer')).toBe(false);
      expect(hierarchy.grantsOf('intern')).toEqual([]);
    });

    it('does not confuse role names with Object.prototype members', () => {
      expect(sorted(hierarchy.implied('constructor'))).toEqual(['constructor']);
      expect(sorted(hierarchy.implied('__proto__'))).toEqual(['__proto__']);
      expect(hierarchy.implies('toString', 'viewer')).toBe(false);
      expect(hierarchy.grantsOf('hasOwnProperty')).toEqual([]);
    });

    it('expands a set of roles to the union of their closures', () => {
      expect(sorted(hierarchy.expand(['auditor', 'editor', 'intern']))).toEqual(['auditor', 'editor', 'intern', 'viewer']);
      expect(sorted(hierarchy.expand([]))).toEqual([]);
    });

    it('finds every role that satisfies an any-of requirement', () => {
      expect(sorted(hierarchy.rolesSatisfying(['viewer']))).toEqual(['admin', 'auditor', 'editor', 'viewer']);
      expect(sorted(hierarchy.rolesSatisfying(['editor', 'auditor']))).toEqual(['admin', 'auditor', 'editor']);
      expect(sorted(hierarchy.rolesSatisfying(['admin']))).toEqual(['admin']);
      expect(sorted(hierarchy.rolesSatisfying(['intern']))).toEqual(['intern']);
      expect(sorted(hierarchy.rolesSatisfying([]))).toEqual([]);
    });

    it('handles diamonds: a role reached twice is expanded once', () => {
      const diamond = RoleHierarchy.compile({
        hierarchy: { owner: ['billing', 'support'], billing: ['member'], support: ['member'], member: ['guest'] },
        permissions: { guest: ['docs:read'], member: ['docs:read', 'posts:read'], billing: ['invoices:*'] },
      });
      expect(sorted(diamond.implied('owner'))).toEqual(['billing', 'guest', 'member', 'owner', 'support']);
      expect([...diamond.grantsOf('owner')].sort()).toEqual(['docs:read', 'invoices:*', 'posts:read']);
      expect([...diamond.grantsOf('support')].sort()).toEqual(['docs:read', 'posts:read']);
    });

    it('handles long chains', () => {
      const chain: Record<string, string[]> = {};
      for (let i = 0; i < 1_000; i++) chain[`r${i}`] = [`r${i + 1}`];
      const deep = RoleHierarchy.compile({ hierarchy: chain, permissions: { r1000: ['leaf:read'] } });
      expect(deep.implies('r0', 'r1000')).toBe(true);
      expect(deep.grantsOf('r0')).toEqual(['leaf:read']);
    });

    it('accepts no configuration at all', () => {
      const empty = RoleHierarchy.compile();
      expect(empty.roles).toEqual([]);
      expect(sorted(empty.implied('admin'))).toEqual(['admin']);
      expect(sorted(empty.rolesSatisfying(['admin']))).toEqual(['admin']);
      expect(empty.rolesGranting('posts:read').size).toBe(0);
    });
  });

  describe('cycles are refused at boot, naming the cycle', () => {
    it.each<[string, RoleOptions['hierarchy'], string]>([
      ['two roles', { admin: ['editor'], editor: ['admin'] }, 'admin → editor → admin'],
      ['a role implying itself', { admin: ['admin'] }, 'admin → admin'],
      ['a longer loop behind a chain', { root: ['a'], a: ['b'], b: ['c'], c: ['a'] }, 'a → b → c → a'],
      ['a loop reached through a diamond', { top: ['left', 'right'], left: ['base'], right: ['base'], base: ['right'] }, 'base → right → base'],
    ])('%s', (_, hierarchy, cycle) => {
      expect(() => RoleHierarchy.compile({ hierarchy })).toThrow(AuthConfigurationError);
      expect(() => RoleHierarchy.compile({ hierarchy })).toThrow(`roles.hierarchy has a cycle: ${cycle}.`);
    });
  });

  describe('role grants', () => {
    const hierarchy = RoleHierarchy.compile({
      hierarchy: { admin: ['editor'], editor: ['viewer'] },
      permissions: { viewer: ['posts:read'], editor: ['posts:*', 'comments:*:moderate'], superuser: ['*'] },
    });

    it('flow down the hierarchy', () => {
      expect(hierarchy.grantsOf('viewer')).toEqual(['posts:read']);
      expect([...hierarchy.grantsOf('editor')].sort()).toEqual(['comments:*:moderate', 'posts:*', 'posts:read']);
      expect([...hierarchy.grantsOf('admin')].sort()).toEqual(['comments:*:moderate', 'posts:*', 'posts:read']);
      expect(hierarchy.grantsOf('superuser')).toEqual(['*']);
    });

    it('answer which roles grant a concrete permission, wildcards applied', () => {
      expect(sorted(hierarchy.rolesGranting('posts:read'))).toEqual(['admin', 'editor', 'superuser', 'viewer']);
      expect(sorted(hierarchy.rolesGranting('posts:delete'))).toEqual(['admin', 'editor', 'superuser']);
      expect(sorted(hierarchy.rolesGranting('posts:comments:delete'))).toEqual(['admin', 'editor', 'superuser']);
      expect(sorted(hierarchy.rolesGranting('postsecret:read'))).toEqual(['superuser']);
      expect(sorted(hierarchy.rolesGranting('comments:42:moderate'))).toEqual(['admin', 'editor', 'superuser']);
      expect(sorted(hierarchy.rolesGranting('comments:moderate'))).toEqual(['superuser']);
    });
  });

  describe('bad configuration fails at boot with a fix', () => {
    it.each<[string, unknown, RegExp]>([
      ['roles not an object', 'admin', /roles must be an object/],
      ['hierarchy an array', { hierarchy: [['admin', 'editor']] }, /roles\.hierarchy must be an object/],
      ['implied roles not an array', { hierarchy: { admin: 'editor' } }, /roles\.hierarchy\.admin must be an array/],
      ['an empty role name', { hierarchy: { admin: [''] } }, /roles\.hierarchy\.admin: "" is not a role name/],
      ['a padded role name', { hierarchy: { ' admin': ['editor'] } }, /" admin" is not a role name/],
      ['a non-string role', { hierarchy: { admin: [42] } }, /42 is not a role name/],
      ['permissions not an object', { permissions: 'posts:*' }, /roles\.permissions must be an object/],
      ['grants not an array', { permissions: { editor: 'posts:*' } }, /roles\.permissions\.editor must be an array/],
      ['a partial wildcard', { permissions: { editor: ['posts*'] } }, /roles\.permissions\.editor: "posts\*" uses "\*" inside a segment/],
      ['an empty segment', { permissions: { editor: ['posts::read'] } }, /empty segment/],
      ['a grant with spaces', { permissions: { editor: ['posts: read'] } }, /whitespace/],
      ['a non-string grant', { permissions: { editor: [null] } }, /null is not a non-empty string/],
    ])('%s', (_, options, message) => {
      expect(() => RoleHierarchy.compile(options as RoleOptions)).toThrow(AuthConfigurationError);
      expect(() => RoleHierarchy.compile(options as RoleOptions)).toThrow(message);
    });
  });
});
