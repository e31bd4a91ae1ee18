import type { AuthRequest } from '../request/auth-request.js';
import { AuthError } from '../errors/auth.error.js';
import { bearerChallenge } from '../errors/bearer-challenge.js';
import type { Principal } from '../principal/principal.js';
import { AuthStrategy } from '../strategies/auth-strategy.js';

/** A principal for tests: only `id` is required; lists default to empty. */
export type TestPrincipal = Partial<Principal> & { readonly id: string };

/** Fills the principal's defaults. */
export function testPrincipal(principal: TestPrincipal, strategy = 'jwt'): Principal {
  return { roles: [], scopes: [], permissions: [], strategy, ...principal };
}

/**
 * A strategy for tests whose caller you set per test. Put it in place of a real strategy:
 *
 * ```ts
 * const auth = new FakeAuthStrategy();
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(JwtStrategy).useValue(auth)
 *   .compile();
 * auth.actAs({ id: 'u1', roles: ['admin'] }); // every request is u1 now
 * auth.anonymous();                            // requests carry no credentials (401 on protected routes)
 * auth.rejectAll();                            // requests carry invalid credentials (401 invalid_token)
 * ```
 *
 * The guard, authorization and `@CurrentUser()` run for real; only "who is calling" is faked.
 */
export class FakeAuthStrategy extends AuthStrategy {
  private current: Principal | null | 'invalid' = null;

  constructor(readonly name: string = 'jwt') {
    super();
  }

  /** Every request is authenticated as this principal from now on. */
  actAs(principal: TestPrincipal): this {
    this.current = testPrincipal(principal, this.name);
    return this;
  }

  /** Requests carry no credentials for this strategy. */
  anonymous(): this {
    this.current = null;
    return this;
  }

  /** Requests carry credentials this strategy rejects. */
  rejectAll(): this {
    this.current = 'invalid';
    return this;
  }

  authenticate(_request: AuthRequest): Principal | null {
    if (this.current === 'invalid') {
      throw new AuthError('invalid_token', { description: 'The access token is invalid', strategy: this.name });
    }
    return this.current;
  }

  override challenge(realm: string, error?: AuthError): string {
    return bearerChallenge(realm, error);
  }

  override securityScheme() {
    return { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } as const;
  }
}

/** One line: a strategy that authenticates every request as `principal`. */
export function actAs(principal: TestPrincipal, strategyName = 'jwt'): FakeAuthStrategy {
  return new FakeAuthStrategy(strategyName).actAs(principal);
}
