import type { OperationObject } from '@nestjs/swagger';
import type { RoutePolicy } from '../policy/route-policy.js';
import { applyOperationAuth, describeOperation, type StrategyFacts } from './operation-security.js';

const policy = (overrides: Partial<RoutePolicy>): RoutePolicy => ({
  access: 'protected',
  strategies: ['jwt'],
  roles: [],
  permissions: [],
  scopes: [],
  owner: undefined,
  mfa: false,
  conflicts: [],
  allowFrom: [],
  ...overrides,
});

const facts: StrategyFacts = {
  schemes: new Map([
    ['jwt', [{ name: 'jwt', carriesScopes: false }, { name: 'oauth2', carriesScopes: true }]],
    ['oidc', [{ name: 'oidc', carriesScopes: true }]],
    ['header-key', [{ name: 'partner-key', carriesScopes: false }]],
    ['query-key', [{ name: 'partner-key', carriesScopes: false }]],
  ]),
  challenging: new Set(['jwt']),
};

describe('describeOperation', () => {
  it('leaves routes the guard does not check alone', () => {
    expect(describeOperation(policy({ access: 'public', strategies: [] }), facts)).toBeUndefined();
    expect(describeOperation(policy({ access: 'unguarded', strategies: [] }), facts)).toBeUndefined();
  });

  it('puts scopes only on oauth2/openIdConnect requirements, and names a shared scheme once', () => {
    const auth = describeOperation(policy({ strategies: ['header-key', 'query-key', 'jwt', 'oidc'], scopes: ['a', 'b'] }), facts)!;
    expect(auth.requirements).toEqual([{ 'partner-key': [] }, { jwt: [] }, { oauth2: ['a', 'b'] }, { oidc: ['a', 'b'] }]);
    expect(auth.extensions).toEqual({ 'x-required-scopes': ['a', 'b'] });
  });

  it('skips strategies that describe no scheme but still documents the 401', () => {
    const auth = describeOperation(policy({ strategies: ['device'] }), facts)!;
    expect(auth.requirements).toEqual([]);
    expect(Object.keys(auth.responses)).toEqual(['401']);
    expect(auth.responses[401].headers).toBeUndefined();
  });

  it('describes an optional route with anonymous access and a 401 for bad credentials only', () => {
    const auth = describeOperation(policy({ access: 'optional' }), facts)!;
    expect(auth.anonymous).toBe(true);
    expect(auth.responses[401].description).toMatch(/credentials sent are invalid.*anonymously/);
  });

  it('explains every rule in the 403 and records it as an extension', () => {
    const auth = describeOperation(
      policy({
        roles: ['admin'],
        permissions: ['posts:write', 'posts:publish'],
        scopes: ['posts'],
        mfa: true,
        owner: { resolver: class {} as never, bypass: ['admin', 'moderator'] },
      }),
      facts,
    )!;
    expect(auth.responses[403].description).toBe(
      'Forbidden: the caller is authenticated but lacks the role admin; the permissions posts:write, posts:publish; ' +
        'the scope posts; a second authentication factor; ownership of the resource (roles admin, moderator may act on any).',
    );
    expect(auth.responses[403].headers?.['WWW-Authenticate']).toBeDefined();
    expect(auth.responses[404].description).toBe('Not Found: the resource does not exist.');
    expect(auth.extensions).toEqual({
      'x-required-roles': ['admin'],
      'x-required-permissions': ['posts:write', 'posts:publish'],
      'x-required-scopes': ['posts'],
      'x-required-owner': { bypassRoles: ['admin', 'moderator'] },
      'x-required-mfa': true,
    });
  });
});

describe('applyOperationAuth', () => {
  it('keeps requirements and responses the app declared, ours first and `{}` last', () => {
    const operation: OperationObject = {
      security: [{ jwt: [] }, { 'legacy-gateway': [] }, {}],
      responses: { 200: { description: 'ok' }, 401: { description: 'Our own words' } },
    };
    applyOperationAuth(operation, describeOperation(policy({ access: 'optional', roles: ['admin'] }), facts)!);
    expect(operation.security).toEqual([{ jwt: [] }, { oauth2: [] }, { 'legacy-gateway': [] }, {}]);
    expect(operation.responses[401]).toEqual({ description: 'Our own words' });
    expect(operation.responses[200]).toEqual({ description: 'ok' });
    expect(operation.responses[403]).toBeDefined();
  });

  it('writes no empty security list when nothing can be named', () => {
    const operation: OperationObject = { responses: {} };
    applyOperationAuth(operation, describeOperation(policy({ strategies: [] }), facts)!);
    expect(operation).not.toHaveProperty('security');
    expect(operation.responses[401]).toBeDefined();
  });
});
