/**
 * Which token endpoint a mounted handler serves, so `nest-warden/openapi` can document its form
 * body and its answers (the handlers read the raw request and write through the adapter, which
 * Swagger's explorer cannot see). Documentation metadata only: the guard never reads it.
 */
export type TokenEndpointOperation = 'token' | 'revoke' | 'jwks' | 'authorize' | 'authorize-form' | 'introspect' | 'metadata';

export const TOKEN_ENDPOINT_OPERATION = 'nest-warden:token-endpoint-operation';
