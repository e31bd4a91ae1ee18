/**
 * Type-level tests of the public API: compiled by `tsc --noEmit` (part of `npm test`), never run.
 * Each `@ts-expect-error` line must fail to compile; if one starts compiling, the API got looser.
 */
import {
  Auth,
  AuthError,
  AuthModule,
  AuthStrategy,
  Owner,
  type OwnershipResolver,
  Permissions,
  type Principal,
  Roles,
  Scopes,
} from '../../lib/index.js';
import { actAs, expectUnauthorized, FakeAuthStrategy, signTestToken } from '../../lib/testing/index.js';

// Decorators take strings only.
Roles('admin', 'editor');
// @ts-expect-error roles are strings
Roles(1);
Permissions('posts:write');
// @ts-expect-error permissions are strings
Permissions(['posts:write']);
Scopes('items:read');
Auth();
Auth('jwt', 'api-key');
Auth({ strategies: ['jwt'], mfa: true });
// @ts-expect-error mfa is a boolean
Auth({ mfa: 'yes' });
// @ts-expect-error strategies and options do not mix
Auth('jwt', { mfa: true });

// Options: an explicit algorithm allowlist of real algorithms.
AuthModule.forRoot({ jwt: { algorithms: ['HS256'], secret: 'x'.repeat(32) } });
// @ts-expect-error "none" is not an algorithm nest-warden accepts
AuthModule.forRoot({ jwt: { algorithms: ['none'], secret: 'x' } });
// @ts-expect-error the allowlist is required
AuthModule.forRoot({ jwt: { secret: 'x' } });
AuthModule.forRootAsync({ useFactory: () => ({ global: false }), strategies: [] });
// @ts-expect-error global is a boolean
AuthModule.forRoot({ global: 'no' });

// @Owner() takes an ownership resolver class.
class PostOwnership implements OwnershipResolver<{ id: string }> {
  resolve() {
    return { resource: { id: '1' }, ownerId: 'u1' };
  }
}
Owner(PostOwnership, { bypass: ['admin'] });
// @ts-expect-error a resolver instance is not a class
Owner(new PostOwnership());

// A custom strategy implements the contract; a principal has all required fields.
class HeaderStrategy extends AuthStrategy {
  readonly name = 'header';
  authenticate(): Principal | null {
    return { id: 'x', roles: [], scopes: [], permissions: [], strategy: this.name };
  }
}
void HeaderStrategy;
// @ts-expect-error a principal needs roles, scopes, permissions and strategy
const incomplete: Principal = { id: 'x' };
void incomplete;
new AuthError('forbidden', { description: 'no' });
// @ts-expect-error error codes are a closed set
new AuthError('nope');

// Testing helpers.
actAs({ id: 'u1', roles: ['admin'] });
// @ts-expect-error a test principal needs an id
actAs({ roles: ['admin'] });
new FakeAuthStrategy('api-key').anonymous();
expectUnauthorized({ status: 401, headers: {} }, { error: null });
declare const app: Parameters<typeof signTestToken>[0];
void signTestToken(app, { sub: 'u1', roles: ['admin'] });
// @ts-expect-error a token needs a subject
void signTestToken(app, { roles: ['admin'] });
