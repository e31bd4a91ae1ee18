/**
 * DI token for `TokenEndpoint` as the mounted controllers inject it. The controllers are created in
 * `auth-module.definition.ts`, which must not import the token service's module graph (it would
 * import the module definition back), so they reach it through this token.
 */
export const TOKEN_ENDPOINT = Symbol('nest-warden:token-endpoint');
