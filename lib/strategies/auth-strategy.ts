import type { AuthError } from '../errors/auth.error.js';
import type { Principal } from '../principal/principal.js';
import type { AuthRequest } from '../request/auth-request.js';
import type { MaybePromise } from '../utils/maybe-promise.js';

/** How a strategy appears in the OpenAPI document (`components.securitySchemes`). */
export type SecuritySchemeDescription =
  | { readonly type: 'http'; readonly scheme: 'bearer' | 'basic'; readonly bearerFormat?: string; readonly description?: string }
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string; readonly description?: string }
  | {
      readonly type: 'oauth2';
      readonly flows: Readonly<Record<string, unknown>>;
      readonly description?: string;
    }
  | { readonly type: 'openIdConnect'; readonly openIdConnectUrl: string; readonly description?: string };

/**
 * The contract every strategy implements, built-in or your own. A strategy turns a request into a
 * {@link Principal}, answers `null` when the request carries none of its credentials (the guard
 * then tries the next strategy), or throws an `AuthError` when its credentials are present but
 * wrong (the guard then answers 401 and never falls through to a weaker strategy).
 *
 * Implement it as an `@Injectable()` class so it can inject your services, provide it in one of
 * your modules, and list it in `AuthModule.forRoot({ strategies: [MyStrategy] })`.
 */
export abstract class AuthStrategy {
  /** The name used in `@Auth('name')`; unique per application. */
  abstract readonly name: string;

  /** Whether the strategy is configured; unconfigured built-ins stay out of the registry. */
  get enabled(): boolean {
    return true;
  }

  /**
   * Whether the strategy protects routes that name none (undecorated routes, `@Roles()` alone...)
   * when `defaultStrategies` is not configured. The built-in bearer and session strategies do. A
   * property of the class (declared on it, not inherited), so a test double put in its place
   * (`overrideProvider`) keeps the role, and a subclass has it only when it says so.
   */
  static readonly byDefault: boolean = false;

  /**
   * The `Authorization` scheme this strategy reads, lower-cased (`bearer`, `basic`), if any. Two
   * default strategies that read the same scheme are reported at boot: the first one's answer is final.
   */
  get authorizationScheme(): string | undefined {
    return undefined;
  }

  abstract authenticate(request: AuthRequest): MaybePromise<Principal | null>;

  /**
   * The `WWW-Authenticate` challenge for a 401 (RFC 9110 §11.6.1), e.g. `Bearer realm="api"`.
   * `error` is set when this strategy rejected the credentials. `null` sends no challenge; a list
   * sends several (a bearer strategy that takes DPoP answers `Bearer …` and `DPoP algs="…"`).
   */
  challenge(_realm: string, _error?: AuthError): string | readonly string[] | null {
    return null;
  }

  /**
   * Whether the strategy takes DPoP-bound tokens (RFC 9449), and whether it insists on them;
   * `undefined` for strategies that do not speak DPoP. A route's `@Auth({ dpop })` overrides it.
   */
  get dpopMode(): 'required' | 'allowed' | undefined {
    return undefined;
  }

  /** The OpenAPI security scheme, or `null` to leave the strategy out of the document. */
  securityScheme(): SecuritySchemeDescription | null {
    return null;
  }

  /** Scheme name in the OpenAPI document; defaults to the strategy name. */
  get securitySchemeName(): string {
    return this.name;
  }

  /** Whether scopes from `@Scopes()` belong on this strategy's security requirement. */
  get carriesScopes(): boolean {
    return false;
  }
}
