import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { OwnershipResolver } from '../authorization/ownership-resolver.js';
import { AllowFrom } from '../decorators/allow-from.decorator.js';
import { Auth } from '../decorators/auth.decorator.js';
import { OptionalAuth } from '../decorators/optional-auth.decorator.js';
import { Owner } from '../decorators/owner.decorator.js';
import { Permissions } from '../decorators/permissions.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { Roles } from '../decorators/roles.decorator.js';
import { Scopes } from '../decorators/scopes.decorator.js';
import type { RouteHandler } from './policy-metadata.js';
import { hasAuthorizationRules, type PolicyDefaults, resolveRoutePolicy, type RoutePolicy } from './route-policy.js';

const reflector = new Reflector();
const GLOBAL: PolicyDefaults = { global: true, defaultStrategies: ['jwt', 'session'] };
const OPT_IN: PolicyDefaults = { global: false, defaultStrategies: ['jwt'] };

function policyOf(controller: Type, method: string, defaults: PolicyDefaults = GLOBAL): RoutePolicy {
  return resolveRoutePolicy(reflector, controller, controller.prototype[method] as RouteHandler, defaults);
}

@Injectable()
class PostOwnership implements OwnershipResolver {
  resolve() {
    return null;
  }
}

describe('resolveRoutePolicy', () => {
  describe('defaults', () => {
    class Plain {
      list() {}
    }

    it('protects an undecorated route with the default strategies when global', () => {
      expect(policyOf(Plain, 'list')).toEqual({
        access: 'protected',
        strategies: ['jwt', 'session'],
        roles: [],
        permissions: [],
        scopes: [],
        owner: undefined,
        mfa: false,
        conflicts: [],
        allowFrom: [],
      });
    });

    it('leaves an undecorated route unguarded with global: false', () => {
      const policy = policyOf(Plain, 'list', OPT_IN);
      expect(policy.access).toBe('unguarded');
      expect(policy.strategies).toEqual([]);
    });

    it('protects a route with only a rule, even with global: false', () => {
      class Opted {
        @Roles('admin')
        list() {}
      }
      const policy = policyOf(Opted, 'list', OPT_IN);
      expect(policy.access).toBe('protected');
      expect(policy.strategies).toEqual(['jwt']);
      expect(policy.roles).toEqual(['admin']);
    });

    it('keeps @Public() public with global: false', () => {
      class Opted {
        @Public()
        list() {}
      }
      expect(policyOf(Opted, 'list', OPT_IN).access).toBe('public');
    });

    it('returns frozen, de-duplicated lists', () => {
      class Dupes {
        @Roles('admin', 'admin', 'editor')
        list() {}
      }
      const policy = policyOf(Dupes, 'list');
      expect(policy.roles).toEqual(['admin', 'editor']);
      expect(Object.isFrozen(policy)).toBe(true);
      expect(Object.isFrozen(policy.roles)).toBe(true);
      expect(Object.isFrozen(policy.strategies)).toBe(true);
    });
  });

  describe('class and method compose; the method wins where both speak', () => {
    @Roles('admin')
    @Scopes('admin:read')
    class Admin {
      dashboard() {}

      @Roles('editor')
      overview() {}

      @Permissions('posts:delete')
      purge() {}

      @Scopes('admin:write')
      write() {}
    }

    it('applies class rules to a bare method', () => {
      const policy = policyOf(Admin, 'dashboard');
      expect(policy.access).toBe('protected');
      expect(policy.roles).toEqual(['admin']);
      expect(policy.scopes).toEqual(['admin:read']);
    });

    it('lets a method rule replace the same class rule', () => {
      expect(policyOf(Admin, 'overview').roles).toEqual(['editor']);
      expect(policyOf(Admin, 'overview').scopes).toEqual(['admin:read']);
      expect(policyOf(Admin, 'write').scopes).toEqual(['admin:write']);
    });

    it('adds a method rule of another kind to the class rules', () => {
      const policy = policyOf(Admin, 'purge');
      expect(policy.roles).toEqual(['admin']);
      expect(policy.scopes).toEqual(['admin:read']);
      expect(policy.permissions).toEqual(['posts:delete']);
      expect(hasAuthorizationRules(policy)).toBe(true);
    });

    it('takes strategies and mfa from the most specific @Auth()', () => {
      @Auth('jwt')
      class Reports {
        @Roles('auditor')
        daily() {}

        @Auth('api-key', 'jwt')
        export() {}
      }
      expect(policyOf(Reports, 'daily').strategies).toEqual(['jwt']);
      expect(policyOf(Reports, 'export').strategies).toEqual(['api-key', 'jwt']);

      @Auth({ mfa: true })
      class Vault {
        open() {}

        @Auth({ mfa: false })
        peek() {}
      }
      expect(policyOf(Vault, 'open').mfa).toBe(true);
      expect(policyOf(Vault, 'open').strategies).toEqual(['jwt', 'session']);
      expect(policyOf(Vault, 'peek').mfa).toBe(false);
    });

    it('applies a class-level @Owner() to every method, bypass roles included', () => {
      @Owner(PostOwnership, { bypass: ['admin'] })
      class Posts {
        get() {}
      }
      const policy = policyOf(Posts, 'get');
      expect(policy.access).toBe('protected');
      expect(policy.owner).toEqual({ resolver: PostOwnership, bypass: ['admin'] });
    });
  });

  describe('@Public()', () => {
    it('on a method of a protected controller opens that method only, without a conflict', () => {
      @Auth()
      @Roles('admin')
      class Admin {
        @Public()
        status() {}

        dashboard() {}
      }
      expect(policyOf(Admin, 'status')).toEqual({
        access: 'public',
        strategies: [],
        roles: [],
        permissions: [],
        scopes: [],
        owner: undefined,
        mfa: false,
        conflicts: [],
        allowFrom: [],
      });
      expect(policyOf(Admin, 'dashboard').access).toBe('protected');
    });

    it('on a controller leaves bare methods public', () => {
      @Public()
      class Open {
        list() {}
      }
      expect(policyOf(Open, 'list').access).toBe('public');
    });

    it('on a controller yields to a rule on a method: that method is protected', () => {
      @Public()
      class Open {
        @Roles('admin')
        locked() {}

        @Scopes('open:write')
        scoped() {}

        @Auth({ mfa: true })
        mfa() {}
      }
      expect(policyOf(Open, 'locked')).toMatchObject({ access: 'protected', roles: ['admin'], strategies: ['jwt', 'session'], conflicts: [] });
      expect(policyOf(Open, 'scoped')).toMatchObject({ access: 'protected', scopes: ['open:write'] });
      expect(policyOf(Open, 'mfa')).toMatchObject({ access: 'protected', mfa: true });
    });

    it('beside rules at the same place is public and reported as a conflict', () => {
      class Method {
        @Public()
        @Roles('admin')
        list() {}
      }
      @Public()
      @Permissions('posts:read')
      class Klass {
        list() {}
      }
      for (const policy of [policyOf(Method, 'list'), policyOf(Klass, 'list')]) {
        expect(policy.access).toBe('public');
        expect(policy.roles).toEqual([]);
        expect(policy.permissions).toEqual([]);
        expect(policy.conflicts).toEqual([
          '@Public() together with authorization rules (@Roles, @Permissions, @Scopes, @Owner, mfa)',
        ]);
      }
    });
  });

  describe('@OptionalAuth()', () => {
    it('alone checks credentials when sent, with no conflict', () => {
      class Posts {
        @OptionalAuth()
        list() {}
      }
      expect(policyOf(Posts, 'list')).toMatchObject({ access: 'optional', strategies: ['jwt', 'session'], conflicts: [] });
    });

    it('with rules anywhere is reported: anonymous callers would skip them', () => {
      @Roles('admin')
      class Posts {
        @OptionalAuth('jwt')
        list() {}
      }
      const policy = policyOf(Posts, 'list');
      expect(policy.access).toBe('optional');
      expect(policy.strategies).toEqual(['jwt']);
      expect(policy.roles).toEqual(['admin']);
      expect(policy.conflicts).toEqual(['@OptionalAuth() together with authorization rules: anonymous callers would skip them']);
    });
  });

  describe('inheritance', () => {
    it('an overridden method keeps its parent method metadata (Spring CVE-2025-41248)', () => {
      class Base {
        @Roles('admin')
        @Scopes('admin:write')
        remove() {}
      }
      class Child extends Base {
        override remove() {}
      }
      const policy = policyOf(Child, 'remove');
      expect(policy.access).toBe('protected');
      expect(policy.roles).toEqual(['admin']);
      expect(policy.scopes).toEqual(['admin:write']);
    });

    it('looks through every ancestor, skipping classes that do not override', () => {
      class Base {
        @Permissions('posts:delete')
        remove() {}
      }
      class Middle extends Base {}
      class Child extends Middle {
        override remove() {}
      }
      expect(policyOf(Child, 'remove').permissions).toEqual(['posts:delete']);
    });

    it('a rule on the overriding method beats @Public() on the overridden one', () => {
      class Base {
        @Public()
        list() {}
      }
      class Child extends Base {
        @Roles('admin')
        override list() {}
      }
      expect(policyOf(Child, 'list')).toMatchObject({ access: 'protected', roles: ['admin'], conflicts: [] });
    });

    it('the overriding method wins where both speak', () => {
      class Base {
        @Roles('admin')
        list() {}
      }
      class Child extends Base {
        @Roles('viewer')
        override list() {}
      }
      class OpenChild extends Base {
        @Public()
        override list() {}
      }
      expect(policyOf(Child, 'list').roles).toEqual(['viewer']);
      expect(policyOf(OpenChild, 'list')).toMatchObject({ access: 'public', conflicts: [] });
    });

    it('a method inherited as-is gets the subclass rules', () => {
      class Base {
        list() {}
      }
      @Roles('admin')
      class Child extends Base {}
      expect(policyOf(Child, 'list').roles).toEqual(['admin']);
      expect(policyOf(Base, 'list').roles).toEqual([]);
    });

    it('class metadata is inherited, and a rule on the subclass beats @Public() on its parent', () => {
      @Roles('admin')
      class Base {
        list() {}
      }
      class Child extends Base {
        override list() {}
      }
      expect(policyOf(Child, 'list').roles).toEqual(['admin']);

      @Public()
      class OpenBase {
        list() {}
      }
      @Roles('admin')
      class LockedChild extends OpenBase {}
      expect(policyOf(LockedChild, 'list')).toMatchObject({ access: 'protected', roles: ['admin'], conflicts: [] });
      expect(policyOf(OpenBase, 'list').access).toBe('public');
    });
  });

  describe('@AllowFrom', () => {
    it('applies whatever the access, a method list replaces the class list, and subclasses inherit it', () => {
      @AllowFrom('10.0.0.0/8')
      class Internal {
        @Public()
        health() {}

        @AllowFrom('192.168.1.1', '2001:db8::/32')
        @Roles('admin')
        admin() {}

        list() {}
      }
      class Child extends Internal {
        override admin() {}
      }
      expect(policyOf(Internal, 'health')).toMatchObject({ access: 'public', allowFrom: ['10.0.0.0/8'], conflicts: [] });
      expect(policyOf(Internal, 'admin')).toMatchObject({ access: 'protected', allowFrom: ['192.168.1.1', '2001:db8::/32'] });
      expect(policyOf(Internal, 'list', OPT_IN)).toMatchObject({ access: 'unguarded', allowFrom: ['10.0.0.0/8'] });
      expect(policyOf(Child, 'admin').allowFrom).toEqual(['192.168.1.1', '2001:db8::/32']);
    });

    it('does not make a route protected by itself', () => {
      class Open {
        @AllowFrom('loopback')
        ping() {}
      }
      expect(policyOf(Open, 'ping', OPT_IN)).toMatchObject({ access: 'unguarded', allowFrom: ['loopback'] });
    });
  });
});
