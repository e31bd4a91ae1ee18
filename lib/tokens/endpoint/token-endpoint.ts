import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AuthError } from '../../errors/auth.error.js';
import { formatChallenge } from '../../errors/challenge.js';
import { retryAfterFor, retryAfterSeconds, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../errors/retry-after.js';
import { CoreSettings } from '../../settings/core-settings.js';
import { StoreUnavailableError } from '../../stores/auth-store.js';
import { failClosed } from '../../stores/fail-closed.js';
import { KeySourceUnavailableError } from '../../strategies/jwt/jwt-key-source.js';
import { OAuthError } from '../oauth.error.js';
import { SigningKeys } from '../keys/signing-keys.js';
import { TokenClients } from './token-clients.js';
import { TokenGrants } from '../grants/token-grants.js';
import { type FormRequest, TokenRequestParameters } from '../grants/token-request.js';
import { isConfidential, mayUseGrant, TokenSettings } from '../token-settings.js';
import { AccessTokens } from '../issuance/access-tokens.js';
import { OwnTokenVerification } from '../issuance/own-token-verification.js';
import { RefreshTokens } from '../issuance/refresh-tokens.js';
import { CLIENT_ASSERTION_ALGORITHMS } from './client-assertions.js';
import { MountedTokenPaths } from './mounted-token-paths.js';
import { TokenService } from '../issuance/token.service.js';
import type { TokenConfirmation } from '../issuance/access-tokens.js';
import { RequestPolicy } from '../../network/request-policy.js';
import { DpopProofVerifier } from '../../strategies/dpop/dpop-proof-verifier.js';

/** An HTTP answer, written by the controller through the adapter (so it is the same on Express and Fastify). */
export interface EndpointAnswer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: unknown;
}

/** RFC 6749 §5.1: token responses (and, here, every answer of these endpoints) are never cached. */
const NO_STORE: readonly (readonly [string, string])[] = [
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
];

/**
 * The token (RFC 6749), revocation (RFC 7009) and JWKS (RFC 7517) endpoints, independent of the
 * HTTP adapter: each takes the request and returns status, headers and body. Errors are RFC 6749
 * §5.2 bodies (`{ error, error_description }`), written directly, so an app's global exception
 * filter cannot reshape them.
 */
@Injectable()
export class TokenEndpoint {
  private readonly logger = new Logger('nest-warden');

  constructor(
    private readonly settings: TokenSettings,
    private readonly clients: TokenClients,
    private readonly tokens: TokenService,
    private readonly keys: SigningKeys,
    private readonly options: CoreSettings,
    private readonly grants: TokenGrants,
    private readonly requestPolicy: RequestPolicy,
    private readonly accessTokens: AccessTokens,
    private readonly ownTokens: OwnTokenVerification,
    private readonly paths: MountedTokenPaths,
    private readonly dpop: DpopProofVerifier,
  ) {}

  /**
   * Called by each mounted controller at boot: a missing `tokens` section fails it, and the token
   * endpoint's grants say what they miss (the password grant: a `UserDirectory`).
   */
  assertUsable(endpoint: string, grantsToo: boolean): void {
    this.settings.require(`The ${endpoint} endpoint`);
    if (grantsToo) for (const grant of this.grants.all()) grant.assertUsable();
  }

  async token(request: FormRequest): Promise<EndpointAnswer> {
    try {
      const parameters = TokenRequestParameters.read(request);
      const client = await this.clients.authenticate(request, parameters);
      const grantType = parameters.require('grant_type');
      const grant = this.grants.get(grantType);
      if (!grant) throw new OAuthError('unsupported_grant_type', 'The grant type is not supported');
      if (!mayUseGrant(client, grantType)) {
        throw new OAuthError('unauthorized_client', 'The client may not use this grant type');
      }
      const confirmation = await this.verifiedProofConfirmation(request);
      const tokens = await grant.handle({ request, parameters, client, confirmation });
      const body: Record<string, unknown> = {
        access_token: tokens.accessToken,
        token_type: tokens.tokenType,
        expires_in: tokens.expiresIn,
      };
      if (tokens.refreshToken) body.refresh_token = tokens.refreshToken;
      if (tokens.scopes.length) body.scope = tokens.scopes.join(' ');
      return { status: HttpStatus.OK, headers: NO_STORE, body };
    } catch (error) {
      return this.failure(error);
    }
  }

  /**
   * RFC 9449 §5: a request with a `DPoP` proof gets tokens bound to the proof's key (`cnf.jkt`,
   * `token_type: DPoP`); without one, Bearer tokens. Checked after the client authenticated, so a
   * client cannot mint keys to spend fresh proof budgets before it is known. A bad proof is 400
   * `invalid_dpop_proof`; a missing nonce (when `dpop.nonce` is on) `use_dpop_nonce` with `DPoP-Nonce`.
   */
  protected async verifiedProofConfirmation(request: FormRequest): Promise<TokenConfirmation | undefined> {
    const proof = request.headers.dpop;
    if (proof === undefined) return undefined;
    if (typeof proof !== 'string') throw new OAuthError('invalid_dpop_proof', 'Send exactly one DPoP proof');
    try {
      const { jkt } = await this.dpop.verify({ proof, method: 'POST', url: this.dpop.requestUrl(request) });
      return { jkt };
    } catch (error) {
      if (!AuthError.isAuthError(error) || error.dpop === undefined) throw error;
      const code = error.dpop.error === 'use_dpop_nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof';
      throw new OAuthError(code, error.description ?? 'The DPoP proof is invalid', { cause: error, dpopNonce: error.dpop.nonce });
    }
  }

  async revoke(request: FormRequest): Promise<EndpointAnswer> {
    try {
      const parameters = TokenRequestParameters.read(request);
      const client = await this.clients.authenticate(request, parameters);
      const token = parameters.require('token');
      // token_type_hint is only a hint (RFC 7009 §2.1): both token types are recognized by their form.
      await this.tokens.revoke(token, client, this.requestPolicy.clientAddress(request));
      return { status: HttpStatus.OK, headers: NO_STORE };
    } catch (error) {
      return this.failure(error);
    }
  }

  /**
   * RFC 7662 token introspection, for authenticated confidential clients (a public client is
   * `invalid_client`). A client learns about the access and refresh tokens issued to it; any other
   * token, and an expired, rotated-out or revoked one, is `{ "active": false }`.
   */
  async introspect(request: FormRequest): Promise<EndpointAnswer> {
    try {
      const parameters = TokenRequestParameters.read(request);
      const client = await this.clients.authenticate(request, parameters);
      if (!isConfidential(client)) throw new OAuthError('invalid_client', 'Introspection is for authenticated confidential clients');
      const token = parameters.require('token');
      if (RefreshTokens.looksLikeRefreshToken(token)) {
        const grant = await this.tokens.inspectRefreshToken(token, client);
        if (!grant) return { status: HttpStatus.OK, headers: NO_STORE, body: { active: false } };
        const body: Record<string, unknown> = { active: true, client_id: grant.clientId, sub: grant.userId, iss: this.settings.issuer, exp: Math.floor(grant.expiresAt / 1000) };
        if (grant.scopes.length) body.scope = grant.scopes.join(' ');
        return { status: HttpStatus.OK, headers: NO_STORE, body };
      }
      const claims = await this.accessTokens.verify(token);
      if (!claims || claims.client_id !== client.id) return { status: HttpStatus.OK, headers: NO_STORE, body: { active: false } };
      try {
        await this.ownTokens.assertNotRevoked(claims, 'introspection');
      } catch (error) {
        if (error instanceof AuthError && error.code === 'invalid_token') return { status: HttpStatus.OK, headers: NO_STORE, body: { active: false } };
        throw error;
      }
      const body: Record<string, unknown> = {
        active: true,
        client_id: claims.client_id,
        token_type: (claims.cnf as { jkt?: unknown } | undefined)?.jkt ? 'DPoP' : 'Bearer',
        sub: claims.sub,
        iss: claims.iss,
        aud: claims.aud,
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti,
      };
      if (typeof claims.scope === 'string') body.scope = claims.scope;
      if (typeof claims.preferred_username === 'string') body.username = claims.preferred_username;
      if (claims.cnf !== undefined) body.cnf = claims.cnf;
      return { status: HttpStatus.OK, headers: NO_STORE, body };
    } catch (error) {
      return this.failure(error);
    }
  }

  /** RFC 8414 authorization server metadata, generated from the configuration and the grant list. */
  metadata(): EndpointAnswer {
    const issuer = this.settings.issuer;
    const grantTypes = this.grants.types();
    const clients = [...this.settings.clients.values()];
    const methods = [...new Set(clients.flatMap((client) => client.authMethods))];
    const confidentialMethods = methods.filter((method) => method !== 'none');
    const body: Record<string, unknown> = { issuer };
    const codeFlow = grantTypes.includes('authorization_code') && this.paths.path('authorize') !== undefined;
    if (codeFlow) body.authorization_endpoint = this.paths.url(issuer, 'authorize');
    if (this.paths.path('token')) body.token_endpoint = this.paths.url(issuer, 'token');
    if (this.paths.path('jwks') && this.keys.mode !== 'secret') body.jwks_uri = this.paths.url(issuer, 'jwks');
    if (this.settings.knownScopes) body.scopes_supported = [...this.settings.knownScopes];
    body.response_types_supported = codeFlow ? ['code'] : [];
    if (codeFlow) body.response_modes_supported = ['query'];
    body.grant_types_supported = grantTypes;
    body.token_endpoint_auth_methods_supported = methods;
    if (methods.includes('private_key_jwt')) body.token_endpoint_auth_signing_alg_values_supported = [...CLIENT_ASSERTION_ALGORITHMS];
    if (this.paths.path('revoke')) {
      body.revocation_endpoint = this.paths.url(issuer, 'revoke');
      body.revocation_endpoint_auth_methods_supported = methods;
    }
    if (this.paths.path('introspect')) {
      body.introspection_endpoint = this.paths.url(issuer, 'introspect');
      body.introspection_endpoint_auth_methods_supported = confidentialMethods;
    }
    // RFC 9449 §5.1: the token endpoint binds tokens to proofs made with these algorithms.
    body.dpop_signing_alg_values_supported = [...this.dpop.algorithms];
    if (codeFlow) {
      body.code_challenge_methods_supported = ['S256'];
      body.authorization_response_iss_parameter_supported = true;
    }
    return { status: HttpStatus.OK, headers: [['Cache-Control', 'public, max-age=300']], body };
  }

  async jwks(): Promise<EndpointAnswer> {
    try {
      const set = await this.keys.jwks();
      if (!set) {
        return { status: HttpStatus.NOT_FOUND, headers: [], body: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
      }
      return { status: HttpStatus.OK, headers: [['Cache-Control', 'public, max-age=60']], body: set };
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.logger.error('JWKS unavailable: the store cannot be reached', error.stack);
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        headers: [['Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS)]],
        body: { statusCode: 503, message: 'Signing keys are temporarily unavailable', error: 'Service Unavailable' },
      };
    }
  }

  /** Any failure as an RFC 6749 §5.2 answer; errors that are bugs propagate (Nest answers 500). */
  private failure(error: unknown): EndpointAnswer {
    const oauth = this.toOAuthError(error);
    const headers: (readonly [string, string])[] = [...NO_STORE];
    let status: number = HttpStatus.BAD_REQUEST;
    if (oauth.code === 'invalid_client') {
      status = HttpStatus.UNAUTHORIZED;
      headers.push(['WWW-Authenticate', formatChallenge('Basic', [['realm', this.options.realm]])]);
    } else if (oauth.code === 'temporarily_unavailable') {
      status = HttpStatus.SERVICE_UNAVAILABLE;
    } else if (oauth.tooManyAttempts) {
      status = HttpStatus.TOO_MANY_REQUESTS;
    }
    if (oauth.retryAfterSeconds !== undefined) headers.push(['Retry-After', String(retryAfterSeconds(oauth.retryAfterSeconds))]);
    if (oauth.dpopNonce !== undefined) headers.push(['DPoP-Nonce', oauth.dpopNonce]);
    return { status, headers, body: { error: oauth.code, error_description: oauth.description } };
  }

  private toOAuthError(thrown: unknown): OAuthError {
    const error = failClosed(thrown, { description: 'the store cannot be reached' }); // → `unavailable`, below (logged, not sent)
    if (error instanceof OAuthError) return error;
    if (error instanceof AuthError) {
      switch (error.code) {
        case 'invalid_credentials':
          return new OAuthError('invalid_grant', 'Invalid username or password');
        case 'locked':
          return new OAuthError('invalid_grant', 'Too many failed attempts; try again later', {
            tooManyAttempts: true,
            retryAfterSeconds: error.retryAfterSeconds,
          });
        case 'unavailable':
          this.logger.error(`Token endpoint unavailable: ${error.message}`, (error.cause as Error | undefined)?.stack);
          return new OAuthError('temporarily_unavailable', 'The service is temporarily unavailable', {
            retryAfterSeconds: retryAfterFor(error),
          });
        default:
          return new OAuthError('invalid_grant', error.description ?? 'The grant was refused');
      }
    }
    if (error instanceof KeySourceUnavailableError) {
      this.logger.error(`Token endpoint unavailable: ${error.message}`, error.stack);
      return new OAuthError('temporarily_unavailable', 'The service is temporarily unavailable', {
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      });
    }
    throw error;
  }
}
