import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuthEvents } from '../../events/auth-events.js';
import { type AuthRequest, parseAuthorizationHeader } from '../../request/auth-request.js';
import { secretMatches } from '../client-secret.js';
import { OAuthError } from '../oauth.error.js';
import type { TokenRequestParameters } from '../grants/token-request.js';
import { type TokenClient, TokenSettings } from '../token-settings.js';
import { RequestPolicy } from '../../network/request-policy.js';
import { ClientAssertions, JWT_BEARER_ASSERTION } from './client-assertions.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Client authentication for the token, revocation and introspection endpoints (RFC 6749 §2.3.1):
 * HTTP Basic (`client_secret_basic`), body credentials (`client_secret_post`) or a signed assertion
 * (`private_key_jwt`, RFC 7523) for confidential clients, a bare `client_id` for public ones, and
 * nothing at all for the default public client — including Swagger UI's empty `Authorization: Basic Og==`.
 */
@Injectable()
export class TokenClients {
  /** Compared against for unknown clients, so they cost what known ones do. */
  private readonly dummyDigest = randomBytes(32);

  constructor(
    private readonly settings: TokenSettings,
    private readonly events: AuthEvents,
    private readonly requestPolicy: RequestPolicy,
    private readonly assertions: ClientAssertions,
  ) {}

  /** The authenticated client, or `OAuthError` `invalid_client` / `invalid_request`. */
  async authenticate(request: AuthRequest, parameters: TokenRequestParameters): Promise<TokenClient> {
    const basic = this.readBasic(request);
    const bodyId = parameters.get('client_id');
    const bodySecret = parameters.get('client_secret');
    const assertion = parameters.get('client_assertion');
    const assertionType = parameters.get('client_assertion_type');
    if (assertion !== undefined || assertionType !== undefined) {
      if (basic || bodySecret !== undefined) {
        throw new OAuthError('invalid_request', 'Use one client authentication method, not several');
      }
      return this.verifyAssertion(request, bodyId, assertionType, assertion);
    }
    if (basic) {
      if (bodySecret !== undefined) {
        throw new OAuthError('invalid_request', 'Use one client authentication method: Basic or client_secret, not both');
      }
      if (bodyId !== undefined && bodyId !== basic.id) {
        throw new OAuthError('invalid_request', 'client_id does not match the Authorization header');
      }
      return this.verify(basic.id, basic.secret, request);
    }
    if (bodyId !== undefined) return this.verify(bodyId, bodySecret, request);
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'client_secret was sent without client_id');
    if (this.settings.defaultClient) return this.settings.defaultClient;
    throw new OAuthError('invalid_client', 'Client authentication is required');
  }

  /** Basic credentials; `undefined` when absent or empty (`Og==`, as Swagger UI sends). */
  private readBasic(request: AuthRequest): { id: string; secret: string } | undefined {
    const header = parseAuthorizationHeader(request);
    if (!header) return undefined;
    if (header.scheme !== 'basic') {
      throw new OAuthError('invalid_client', 'Unsupported client authentication scheme; use Basic');
    }
    const encoded = header.credentials;
    if (!encoded || encoded.length > 2048 || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
      throw new OAuthError('invalid_client', 'Malformed Basic credentials');
    }
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new OAuthError('invalid_client', 'Malformed Basic credentials');
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined.
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (id === undefined || secret === undefined) throw new OAuthError('invalid_client', 'Malformed Basic credentials');
    if (id === '' && secret === '') return undefined;
    if (id === '') throw new OAuthError('invalid_client', 'Client authentication failed');
    return { id, secret };
  }

  private async verifyAssertion(
    request: AuthRequest,
    bodyId: string | undefined,
    type: string | undefined,
    assertion: string | undefined,
  ): Promise<TokenClient> {
    if (type !== JWT_BEARER_ASSERTION) throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    if (assertion === undefined) throw new OAuthError('invalid_request', 'The "client_assertion" parameter is required');
    const id = ClientAssertions.claimedClient(assertion);
    const client = id === undefined ? undefined : this.settings.clients.get(id);
    const ok = client !== undefined && (bodyId === undefined || bodyId === id) && (await this.assertions.verify(client, assertion));
    if (!ok) {
      this.failed(id ?? bodyId ?? '', request);
      throw new OAuthError('invalid_client', 'Client authentication failed');
    }
    return client;
  }

  private failed(id: string, request: AuthRequest): void {
    this.events.emit({ type: 'client.authentication_failed', clientId: id.slice(0, 128), clientAddress: this.requestPolicy.clientAddress(request) });
  }

  private verify(id: string, secret: string | undefined, request: AuthRequest): TokenClient {
    const client = this.settings.clients.get(id);
    const presented = secret ?? '';
    let ok: boolean;
    if (!client) {
      secretMatches(presented, this.dummyDigest);
      ok = false;
    } else if (client.secretDigest) {
      ok = secretMatches(presented, client.secretDigest) && presented.length > 0;
    } else if (client.jwks) {
      ok = false; // a private_key_jwt client proves itself with an assertion, never without
    } else {
      ok = presented.length === 0; // a public client has no secret to send
    }
    if (!ok) {
      this.failed(id, request);
      throw new OAuthError('invalid_client', 'Client authentication failed');
    }
    return client!;
  }
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
