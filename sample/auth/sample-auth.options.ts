import { type AuthModuleOptions, hashApiKey, RedisStore } from '../../lib/index.js';
import { publicUrl } from '../sample-env.js';

/**
 * The sample's nest-warden options (design.md, "The sample app"): the token endpoint with the public
 * client `demo-client`; HS256 with `JWT_SECRET` (32+ bytes), else a generated Ed25519 key per
 * instance, published at `/.well-known/jwks.json`; all state in Redis when `REDIS_URL` is set, so
 * several instances act as one (each shares its public key through Redis, never its private key).
 * The issuer is `PUBLIC_URL` (else `http://localhost:PORT`): instances behind one balancer share it.
 * Every bearer route takes DPoP-bound tokens too, and the API describes itself (RFC 9728) with
 * `PUBLIC_URL` as its resource identifier.
 */
export function sampleAuthOptions(env: NodeJS.ProcessEnv): AuthModuleOptions {
  return {
    realm: 'nest-warden-sample',
    roles: { hierarchy: { admin: ['user'] } },
    // GET /reports: machine clients send `X-API-Key: demo-api-key` (stored here only as its hash).
    apiKeys: {
      header: 'X-API-Key',
      keys: [{ id: 'reporting-service', username: 'reporting-service', hash: hashApiKey('demo-api-key'), roles: ['reporter'] }],
    },
    // GET /basic/whoami: HTTP Basic against the demo users (argon2id, lockout included).
    basic: {},
    // POST /auth/session: cookie sessions. Plain http on localhost, so no Secure flag unless COOKIE_SECURE=true.
    session: { secure: env.COOKIE_SECURE === 'true' },
    store: env.REDIS_URL ? new RedisStore({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX ?? 'nest-warden-sample:' }) : undefined,
    // DPoP (RFC 9449): every bearer route also takes DPoP-bound tokens (Authorization: DPoP + a DPoP
    // proof); behind a balancer, proofs name PUBLIC_URL (htu).
    dpop: { mode: 'allowed', origin: env.PUBLIC_URL ? publicUrl(env) : undefined },
    // RFC 9728: GET /.well-known/oauth-protected-resource, and resource_metadata on every Bearer/DPoP challenge.
    protectedResource: {
      resource: publicUrl(env),
      resourceName: 'nest-warden sample',
      resourceDocumentation: `${publicUrl(env)}/docs`,
    },
    tokens: {
      issuer: publicUrl(env),
      clients: [{ id: 'demo-client' }],
      defaultClient: 'demo-client',
      scopes: { 'items:read': 'Read items', 'items:write': 'Create items' },
      signing: env.JWT_SECRET ? { secret: env.JWT_SECRET } : { alg: 'EdDSA' },
    },
  };
}
