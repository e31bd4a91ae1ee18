// Examples from docs/jwt.md. Type-checked by `tsc`; jwt.example.spec.ts boots each of them on
// Express and Fastify with real tokens (and a local JWKS server standing in for each provider).
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import {
  AuthError,
  AuthModule,
  CurrentUser,
  type JwtClaims,
  JwtStrategy,
  type JwtStrategyOptions,
  Permissions,
  type Principal,
  Roles,
  Scopes,
} from '../../lib/index.js';

// --- example: env
/** Environment variables, or whatever your configuration service hands over. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a setting that must be there; a missing one fails the boot with its name. */
export function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Set ${name}: the JWT configuration needs it.`);
  return value;
}
// --- end

@Controller('orders')
export class OrdersController {
  /** No decorator: the default strategies (here `jwt`) protect it. */
  @Get()
  list(@CurrentUser() user: Principal) {
    return { id: user.id, username: user.username ?? null, roles: user.roles, scopes: user.scopes, permissions: user.permissions };
  }

  @Roles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }

  @Scopes('orders:read')
  @Get('scoped')
  scoped() {
    return { scoped: true };
  }

  @Permissions('read:orders')
  @Get('permitted')
  permitted() {
    return { permitted: true };
  }
}

// --- example: hs256
/** Tokens signed by your own auth service with a secret it shares with this API. */
export function sharedSecretJwt(env: Env): JwtStrategyOptions {
  return {
    algorithms: ['HS256'],
    secret: required(env, 'JWT_SECRET'), // 32 bytes or more: `openssl rand -base64 32`
    issuer: 'https://auth.acme.example', // the `iss` your auth service writes
    audience: 'orders-api', // the `aud` it writes for this API
  };
}
// --- end

// --- example: module
@Module({
  imports: [AuthModule.forRootAsync({ useFactory: () => ({ jwt: sharedSecretJwt(process.env) }) })],
  controllers: [OrdersController],
})
export class AppModule {}
// --- end

// --- example: jsonwebtoken
/**
 * Tokens from a service that signs with jsonwebtoken:
 *   jwt.sign({ sub, roles }, secret, { algorithm: 'HS256', expiresIn: '15m', issuer, audience })
 * jsonwebtoken writes `typ: JWT` in the header, so say so (the default expects `at+jwt`).
 */
export function jsonwebtokenJwt(env: Env): JwtStrategyOptions {
  return {
    algorithms: ['HS256'],
    secret: required(env, 'JWT_SECRET'),
    issuer: 'https://legacy-auth.acme.example',
    audience: 'orders-api',
    typ: 'JWT',
  };
}
// --- end

// --- example: public-keys
/** One issuer, one or a few keys you were given as PEM files (or JWKs). */
export function publicKeyJwt(env: Env): JwtStrategyOptions {
  return {
    algorithms: ['RS256'],
    publicKeys: [required(env, 'PARTNER_PUBLIC_KEY_PEM')], // "-----BEGIN PUBLIC KEY-----..."
    issuer: 'https://partner.example',
    audience: 'orders-api',
  };
}
// --- end

// --- example: local-jwks
/** A key set you ship with the app (a JSON file), e.g. for an issuer whose keys change rarely. */
export function localJwksJwt(keySet: { keys: JsonWebKey[] }): JwtStrategyOptions {
  return {
    algorithms: ['ES256', 'EdDSA'],
    jwks: { keys: keySet.keys },
    issuer: 'https://issuer.example',
    audience: 'orders-api',
  };
}
// --- end

// --- example: every-option
/** Every option of the `jwt` strategy, most at their default. */
export function everyOptionJwt(env: Env): JwtStrategyOptions {
  return {
    algorithms: ['RS256', 'ES256'], // required: the algorithms you accept, nothing else
    jwksUri: required(env, 'JWKS_URI'), // or `secret` (HS*), `publicKeys`, `jwks`
    remoteJwks: { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 5_000 },
    issuer: ['https://eu.auth.acme.example', 'https://us.auth.acme.example'], // any of them
    audience: 'orders-api', // `aud` must contain one of them
    typ: 'at+jwt', // the header's `typ`; 'JWT' for most other issuers, false to skip the check
    clockToleranceSeconds: 5, // clock skew allowed when checking exp and nbf
    requiredClaims: ['jti'], // beyond `exp` and `sub`, which are always required
    maxTokenLength: 8192, // longer Authorization values are refused before any parsing
    claims: { roles: ['roles'], scopes: ['scope', 'scp'], permissions: ['permissions'], username: ['preferred_username', 'username'] },
    cacheSize: 10_000, // verified tokens answered without a second signature check; 0 turns it off
  };
}
// --- end

// --- example: auth0
/**
 * Auth0. AUTH0_ISSUER_BASE_URL: https://<tenant>.<region>.auth0.com/ (with its trailing slash, as in
 * the tokens' `iss`); AUTH0_AUDIENCE: the API's identifier (Dashboard → Applications → APIs).
 * With RBAC and "Add Permissions in the Access Token" on, `permissions` feeds @Permissions().
 */
export function auth0Jwt(env: Env): JwtStrategyOptions {
  const issuer = required(env, 'AUTH0_ISSUER_BASE_URL');
  return {
    algorithms: ['RS256'],
    jwksUri: new URL('.well-known/jwks.json', issuer).href,
    issuer,
    audience: required(env, 'AUTH0_AUDIENCE'),
    typ: 'JWT', // Auth0's default token profile; keep the at+jwt default with its "RFC 9068" profile
  };
}
// --- end

// --- example: auth0-roles
/**
 * Roles an Auth0 Action adds under a namespaced claim (`https://acme.example/roles`): the claim
 * name holds dots, which a `claims` dot path cannot address, so map it in `toPrincipal`.
 */
@Injectable()
export class Auth0JwtStrategy extends JwtStrategy {
  protected override toPrincipal(claims: JwtClaims): Principal {
    const roles = claims['https://acme.example/roles'];
    return {
      ...super.toPrincipal(claims),
      roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    };
  }
}

@Module({
  imports: [
    AuthModule.forRootAsync({
      strategies: [Auth0JwtStrategy], // a subclass keeping the name `jwt` takes the built-in's place
      useFactory: () => ({ jwt: auth0Jwt(process.env) }),
    }),
  ],
  controllers: [OrdersController],
  providers: [Auth0JwtStrategy],
})
export class Auth0AppModule {}
// --- end

// --- example: keycloak
/**
 * Keycloak. KEYCLOAK_REALM_URL: https://sso.acme.example/realms/acme; KEYCLOAK_CLIENT_ID: this
 * API's client, which an "audience" mapper puts in the tokens' `aud`.
 */
export function keycloakJwt(env: Env): JwtStrategyOptions {
  const issuer = required(env, 'KEYCLOAK_REALM_URL');
  const clientId = required(env, 'KEYCLOAK_CLIENT_ID');
  return {
    algorithms: ['RS256'],
    jwksUri: `${issuer}/protocol/openid-connect/certs`,
    issuer,
    audience: clientId,
    typ: 'JWT', // Keycloak writes `typ: JWT` in the header (and `"typ": "Bearer"` in the payload)
    claims: { roles: ['realm_access.roles', `resource_access.${clientId}.roles`] },
  };
}
// --- end

// --- example: entra
/**
 * Microsoft Entra ID (v2.0 access tokens: set "requestedAccessTokenVersion": 2 in the API's app
 * manifest). ENTRA_TENANT_ID: the directory (tenant) id; ENTRA_API_CLIENT_ID: the API's
 * application (client) id, which is the tokens' `aud`. App roles arrive in `roles`, delegated
 * scopes in `scp`: both are read by default.
 */
export function entraJwt(env: Env, authority = 'https://login.microsoftonline.com'): JwtStrategyOptions {
  const tenant = required(env, 'ENTRA_TENANT_ID');
  return {
    algorithms: ['RS256'],
    jwksUri: `${authority}/${tenant}/discovery/v2.0/keys`,
    issuer: `${authority}/${tenant}/v2.0`,
    audience: required(env, 'ENTRA_API_CLIENT_ID'),
    typ: 'JWT', // Entra writes `typ: JWT`
  };
}
// --- end

// --- example: cognito
/**
 * Amazon Cognito. COGNITO_ISSUER: https://cognito-idp.<region>.amazonaws.com/<user pool id>.
 * Cognito access tokens carry no `typ` and no `aud`: the app client is in `client_id`, and
 * `token_use` tells access tokens from ID tokens, so both are checked in `afterVerification`.
 */
export function cognitoJwt(env: Env): JwtStrategyOptions {
  const issuer = required(env, 'COGNITO_ISSUER');
  return {
    algorithms: ['RS256'],
    jwksUri: `${issuer}/.well-known/jwks.json`,
    issuer,
    audience: false, // no `aud` in Cognito access tokens: client_id is checked in afterVerification
    typ: false,
    requiredClaims: ['token_use', 'client_id'],
    claims: { roles: 'cognito:groups' },
  };
}

@Injectable()
export class CognitoJwtStrategy extends JwtStrategy {  private readonly appClients = required(process.env, 'COGNITO_APP_CLIENT_IDS').split(',');

  protected override afterVerification(principal: Principal): Principal {
    const { token_use: use, client_id: clientId } = principal.claims ?? {};
    if (use !== 'access' || typeof clientId !== 'string' || !this.appClients.includes(clientId)) {
      throw new AuthError('invalid_token', { description: 'The access token is not for this API', strategy: this.name });
    }
    return principal;
  }
}

@Module({
  imports: [
    AuthModule.forRootAsync({
      strategies: [CognitoJwtStrategy], // a subclass keeping the name `jwt` takes the built-in's place
      useFactory: () => ({ jwt: cognitoJwt(process.env) }),
    }),
  ],
  controllers: [OrdersController],
  providers: [CognitoJwtStrategy],
})
export class CognitoAppModule {}
// --- end
