/**
 * Type-level tests of the public API: compiled by `tsc --noEmit` (part of `npm test`), never run.
 * Each `@ts-expect-error` line must fail to compile; if one starts compiling, the API got looser.
 */
import type { ExecutionContext, INestApplication } from '@nestjs/common';
import {
  AllowFrom,
  Auth,
  AuthError,
  AuthGuard,
  AuthModule,
  AuthStore,
  AuthStrategy,
  Clock,
  type IssueTokensOptions,
  Owner,
  type OwnershipResolver,
  Permissions,
  type Principal,
  RedisStore,
  type RoutePolicy,
  TokenGrant,
  type TokenGrantContext,
  type TokenSet,
  Roles,
  Scopes,
  TokenService,
  type UserAccount,
} from '../../lib/index.js';
import { createAuthDocument } from '../../lib/openapi/index.js';
import { actAs, expectUnauthorized, FakeAuthStrategy, FakeClock, signTestToken } from '../../lib/testing/index.js';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AuthStoreThrottlerStorage, PrincipalThrottlerGuard, PrincipalThrottlerModule } from '../../lib/throttling/index.js';

/** Not a grant: it has no grantType. */
class PostOwnershipLike {
  handle() {}
}

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

// Extension points: a guard subclass, grants of your own.
class AuditingGuard extends AuthGuard {
  protected override deny(context: ExecutionContext, policy: RoutePolicy | undefined, error: unknown): never {
    return super.deny(context, policy, error);
  }
}
AuthModule.forRoot({ guard: AuditingGuard, imports: [] });
// @ts-expect-error the guard must extend AuthGuard
AuthModule.forRoot({ guard: class Other {} });
class InviteGrant extends TokenGrant {
  readonly grantType = 'urn:example:invite';
  async handle({ client }: TokenGrantContext): Promise<TokenSet> {
    return { accessToken: client.id, tokenType: 'Bearer', expiresIn: 60, refreshToken: undefined, scopes: [], tokenId: 'j', grantId: 'g' };
  }
}
AuthModule.forRoot({ grants: [InviteGrant], tokens: { issuer: 'https://api.example', clients: [{ id: 'app', grantTypes: ['urn:example:invite'] }] } });
// @ts-expect-error grants extend TokenGrant
AuthModule.forRoot({ grants: [PostOwnershipLike] });

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
// FakeClock is a Clock (overrideProvider(Clock).useValue(clock)), started from ms or a Date.
const _fakeClock: Clock = new FakeClock(new Date('2030-01-01T00:00:00Z'));
new FakeClock(0).advance(1_000);
// @ts-expect-error a FakeClock starts from ms or a Date, not a string
new FakeClock('2030-01-01');
expectUnauthorized({ status: 401, headers: {} }, { error: null });
declare const app: Parameters<typeof signTestToken>[0];
void signTestToken(app, { sub: 'u1', roles: ['admin'] });
// @ts-expect-error a token needs a subject
void signTestToken(app, { roles: ['admin'] });

// Tokens: the module as an authorization server.
AuthModule.forRoot({
  tokens: { issuer: 'https://api.example', clients: [{ id: 'spa', grantTypes: ['password'] }], signing: { secret: 'x'.repeat(32) } },
  tokenEndpoints: { token: '/oauth/token', revoke: false },
});
AuthModule.forRoot({ tokens: { issuer: 'https://api.example', signing: { alg: 'ES256', rotateAfterSeconds: 3600 } }, tokenEndpoints: true });
// @ts-expect-error the issuer is required
AuthModule.forRoot({ tokens: { audience: 'api' } });
// @ts-expect-error grant types are names
AuthModule.forRoot({ tokens: { issuer: 'https://api.example', clients: [{ id: 'spa', grantTypes: [42] }] } });
// @ts-expect-error a secret and a private key do not mix
AuthModule.forRoot({ tokens: { issuer: 'https://api.example', signing: { secret: 'x'.repeat(32), privateKey: 'pem' } } });
// @ts-expect-error HS256 is signing with a secret, not a key algorithm
AuthModule.forRoot({ tokens: { issuer: 'https://api.example', signing: { alg: 'HS256' } } });
// @ts-expect-error paths are strings or false
AuthModule.forRoot({ tokens: { issuer: 'https://api.example' }, tokenEndpoints: { token: true } });
declare const tokens: TokenService;
declare const account: UserAccount;
const issueOptions: IssueTokensOptions = { clientId: 'spa', scopes: ['items:read'], refreshToken: false };
void tokens.issue(account, issueOptions);
// @ts-expect-error scopes are a list, not a space-separated string
void tokens.issue(account, { scopes: 'items:read' });
// @ts-expect-error issuing needs the account, not its id
void tokens.issue('u1');

// Sessions: endpoints by path, `false` leaves one out.
AuthModule.forRoot({ session: {}, sessionEndpoints: true });
AuthModule.forRoot({ session: {}, sessionEndpoints: { login: '/login', logoutEverywhere: false } });
// @ts-expect-error an unknown endpoint name
AuthModule.forRoot({ session: {}, sessionEndpoints: { signIn: '/login' } });
// @ts-expect-error paths are strings or false
AuthModule.forRoot({ session: {}, sessionEndpoints: { login: true } });

// @AllowFrom() takes addresses and ranges as strings.
AllowFrom('10.0.0.0/8', '2001:db8::/32', 'loopback');
// @ts-expect-error entries are strings, not a list
AllowFrom(['10.0.0.0/8']);

// RedisStore: a client you own or a URL.
new RedisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'app:', commandTimeoutMs: 500 });
declare const redisClient: ConstructorParameters<typeof RedisStore>[0]['client'];
new RedisStore({ client: redisClient });
// @ts-expect-error the timeout is a number of milliseconds
new RedisStore({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: '1s' });
// @ts-expect-error options are an object
new RedisStore('redis://127.0.0.1:6379');

// nest-warden/openapi: createAuthDocument(app, config, options).
declare const nestApp: INestApplication;
createAuthDocument(nestApp, { openapi: '3.0.0', info: { title: 'api', version: '1' } }, { oauth2: { tokenUrl: '/auth/token', scopes: { 'items:read': 'Read' } } });
// The flow of the module's own token endpoint is derived; `false` leaves the scheme out.
createAuthDocument(nestApp, { openapi: '3.0.0', info: { title: 'api', version: '1' } });
createAuthDocument(nestApp, { openapi: '3.0.0', info: { title: 'api', version: '1' } }, { oauth2: false });
// @ts-expect-error oauth2 is the flow's options or false
createAuthDocument(nestApp, { openapi: '3.0.0', info: { title: 'api', version: '1' } }, { oauth2: true });
// @ts-expect-error scopes are a description map, not a list
createAuthDocument(nestApp, { openapi: '3.0.0', info: { title: 'api', version: '1' } }, { oauth2: { tokenUrl: '/t', scopes: ['items:read'] } });

// nest-warden/throttling: a per-principal budget, customizable by overriding the tracker.
class PerClientThrottler extends PrincipalThrottlerGuard {
  protected override principalTracker(principal: Principal): string {
    return `client:${principal.clientId ?? principal.id}`;
  }
}
void PerClientThrottler;
class NumericTracker extends PrincipalThrottlerGuard {
  // @ts-expect-error the tracker is a string key
  protected override principalTracker(principal: Principal): number {
    return principal.id.length;
  }
}
void NumericTracker;
void PrincipalThrottlerModule;
// The store-backed storage is a ThrottlerStorage, built on any AuthStore.
declare const anyStore: AuthStore;
const storage: ThrottlerStorage = new AuthStoreThrottlerStorage(anyStore);
void storage;
// @ts-expect-error it needs the store
new AuthStoreThrottlerStorage();
