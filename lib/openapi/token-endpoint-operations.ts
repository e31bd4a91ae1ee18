import type { HeaderObject, OperationObject, ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import type { RouteHandler } from '../policy/policy-metadata.js';
import { TOKEN_ENDPOINT_OPERATION, type TokenEndpointOperation } from '../tokens/endpoint/token-endpoint-operation.js';
import type { TokenGrant } from '../tokens/grants/token-grant.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Which token endpoint `handler` serves, if any (`forRoot({ tokenEndpoints })`). */
export function tokenEndpointOperation(handler: RouteHandler): TokenEndpointOperation | undefined {
  return Reflect.getMetadata(TOKEN_ENDPOINT_OPERATION, handler) as TokenEndpointOperation | undefined;
}

/**
 * Documents a mounted token endpoint: its form-encoded body (RFC 6749 §4.3 and §6, RFC 7009 §2.1)
 * and its JSON answers, errors as RFC 6749 §5.2 bodies. The handlers read the raw request, so
 * Swagger's explorer finds no body or response type of its own to describe. Each call builds new
 * objects: nothing is shared between operations or documents.
 */
export function documentTokenEndpoint(operation: OperationObject, kind: TokenEndpointOperation, grants: readonly TokenGrant[]): void {
  switch (kind) {
    case 'token':
      operation.summary ??= `Issue tokens (OAuth 2.0 ${grants.map((grant) => grant.grantType).join(', ')} grants)`;
      operation.requestBody = formBody(tokenRequest(grants), 'RFC 6749 §4, form-encoded: the parameters of the chosen grant_type.');
      operation.responses = {
        200: json('Tokens issued. Never cached (Cache-Control: no-store).', tokenResponse()),
        400: oauthError('The request, grant or scope was refused (invalid_request, invalid_grant, invalid_scope, unsupported_grant_type, unauthorized_client).'),
        401: oauthError('Client authentication failed (invalid_client).', { 'WWW-Authenticate': challengeHeader() }),
        429: oauthError('Too many failed attempts on this account: try again after Retry-After.', { 'Retry-After': retryAfterHeader() }),
        503: oauthError('The service is temporarily unavailable (temporarily_unavailable).', { 'Retry-After': retryAfterHeader() }),
      };
      return;
    case 'revoke':
      operation.summary ??= 'Revoke a token (RFC 7009)';
      operation.requestBody = formBody(revocationRequest(), 'RFC 7009 §2.1, form-encoded.');
      operation.responses = {
        200: { description: 'Revoked, or the token was unknown or already invalid (RFC 7009 §2.2): the answer is the same.' },
        400: oauthError('The request was malformed (invalid_request).'),
        401: oauthError('Client authentication failed (invalid_client).', { 'WWW-Authenticate': challengeHeader() }),
        503: oauthError('The service is temporarily unavailable (temporarily_unavailable).', { 'Retry-After': retryAfterHeader() }),
      };
      return;
    case 'authorize':
      operation.summary ??= 'Authorization endpoint (RFC 6749 §4.1, PKCE S256): sign-in page, then a redirect with a code, state and iss';
      operation.description ??=
        'For browsers, not for API calls: shows the sign-in (or consent) page, or redirects to the registered redirect URI ' +
        'with code, state and iss (RFC 9207) when the user is signed in.';
      operation.parameters = [
        query('response_type', 'Always "code".', true, ['code']),
        query('client_id', 'The client.', true),
        query('redirect_uri', 'One of the client\'s registered redirect URIs, exactly (optional when it has only one).', false),
        query('code_challenge', 'PKCE (RFC 7636): BASE64URL(SHA-256(code_verifier)).', true),
        query('code_challenge_method', 'PKCE method: S256 only (plain is refused).', true, ['S256']),
        query('scope', 'Space-separated scopes; without it, every scope the user and client may hold.', false),
        query('state', 'Returned unchanged with the code (CSRF protection of the client).', false),
      ];
      operation.responses = {
        200: { description: 'The sign-in or consent page (HTML).' },
        303: { description: 'To the registered redirect URI with code (or error), state and iss; or back to GET after sign-in.' },
        400: { description: 'Unknown client or unregistered redirect URI: an error page, never a redirect.' },
      };
      return;
    case 'authorize-form':
      operation.summary ??= 'The sign-in and consent form of the authorization endpoint (HTML form post)';
      operation.responses = {
        303: { description: 'Signed in: back to the authorization endpoint; consent given or denied: to the redirect URI.' },
        400: { description: 'An error page (unknown client, unregistered redirect URI, expired form).' },
        401: { description: 'The sign-in page again: wrong username, password or code.' },
        429: { description: 'The sign-in page: too many failed attempts on this account.', headers: { 'Retry-After': retryAfterHeader() } },
      };
      return;
    case 'introspect':
      operation.summary ??= 'Token introspection (RFC 7662), for authenticated confidential clients';
      operation.requestBody = formBody(
        { type: 'object', required: ['token'], properties: { token: { type: 'string' }, token_type_hint: { type: 'string' }, ...clientCredentials() } },
        'RFC 7662 §2.1, form-encoded.',
      );
      operation.responses = {
        200: json('Whether the token is active, and its claims when it is one of the calling client\'s tokens.', {
          type: 'object',
          required: ['active'],
          properties: { active: { type: 'boolean' } },
          additionalProperties: true,
        }),
        401: oauthError('Client authentication failed, or a public client (invalid_client).', { 'WWW-Authenticate': challengeHeader() }),
      };
      return;
    case 'metadata':
      operation.summary ??= 'Authorization server metadata (RFC 8414)';
      operation.responses = { 200: json('The endpoints, grants, client authentication methods and scopes of this server.', { type: 'object', additionalProperties: true }) };
      return;
    case 'jwks':
      operation.summary ??= 'Public signing keys (JWK Set, RFC 7517)';
      operation.responses = {
        200: json('The public keys that verify access tokens issued here.', jwkSet()),
        404: { description: 'Tokens are not signed with an asymmetric key: there is nothing to publish.' },
        503: { description: 'The signing keys cannot be read right now.', headers: { 'Retry-After': retryAfterHeader() } },
      };
      return;
  }
}

/** The token request: `grant_type` lists the registered grants, then each grant's own parameters. */
function tokenRequest(grants: readonly TokenGrant[]): SchemaObject {
  const properties: Record<string, SchemaObject> = {
    grant_type: { type: 'string', enum: grants.map((grant) => grant.grantType) },
  };
  for (const grant of grants) {
    for (const parameter of grant.parameters) {
      properties[parameter.name] ??= {
        type: 'string',
        ...(parameter.secret ? { format: 'password' } : {}),
        description: parameter.description,
      };
    }
  }
  properties.scope = {
    type: 'string',
    description: 'Space-separated scopes; without it, every scope the user and client may hold (refresh: the granted ones).',
  };
  return { type: 'object', required: ['grant_type'], properties: { ...properties, ...clientCredentials() } };
}

function revocationRequest(): SchemaObject {
  return {
    type: 'object',
    required: ['token'],
    properties: {
      token: { type: 'string', description: 'The access or refresh token to revoke.' },
      token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'], description: 'A hint only: both kinds are recognized.' },
      ...clientCredentials(),
    },
  };
}

/** RFC 6749 §2.3.1: in the body, or (preferred) as HTTP Basic in the Authorization header. */
function clientCredentials(): Record<string, SchemaObject> {
  return {
    client_id: { type: 'string', description: 'The client, when it does not authenticate with HTTP Basic.' },
    client_secret: { type: 'string', format: 'password', description: 'A confidential client\'s secret, when not sent with HTTP Basic.' },
    client_assertion_type: {
      type: 'string',
      enum: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      description: 'private_key_jwt (RFC 7523): with client_assertion.',
    },
    client_assertion: { type: 'string', format: 'password', description: 'private_key_jwt (RFC 7523): a JWT signed with the client\'s private key.' },
  };
}

function tokenResponse(): SchemaObject {
  return {
    type: 'object',
    required: ['access_token', 'token_type', 'expires_in'],
    properties: {
      access_token: { type: 'string', description: 'A JWT access token (RFC 9068).' },
      token_type: { type: 'string', enum: ['Bearer', 'DPoP'] },
      expires_in: { type: 'integer', description: 'Lifetime of the access token in seconds.' },
      refresh_token: { type: 'string', description: 'When the client may use the refresh_token grant; rotated on every use.' },
      scope: { type: 'string', description: 'The granted scopes, space-separated.' },
    },
  };
}

function query(name: string, description: string, required: boolean, values?: string[]): ParameterObject {
  return { name, in: 'query', required, description, schema: values ? { type: 'string', enum: values } : { type: 'string' } };
}

function jwkSet(): SchemaObject {
  return {
    type: 'object',
    required: ['keys'],
    properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
  };
}

function formBody(schema: SchemaObject, description: string) {
  return { required: true, description, content: { [FORM]: { schema } } };
}

function json(description: string, schema: SchemaObject): ResponseObject {
  return { description, content: { [JSON_TYPE]: { schema } } };
}

function oauthError(description: string, headers?: Record<string, HeaderObject>): ResponseObject {
  const schema: SchemaObject = {
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string', description: 'RFC 6749 §5.2 / RFC 7009 §2.2.1 error code.' },
      error_description: { type: 'string' },
    },
  };
  const response = json(description, schema);
  return headers ? { ...response, headers } : response;
}

function challengeHeader(): HeaderObject {
  return { description: 'Basic challenge for client authentication.', schema: { type: 'string' } };
}

function retryAfterHeader(): HeaderObject {
  return { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } };
}
