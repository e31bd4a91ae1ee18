import { isIP } from 'node:net';
import { type AuthModuleOptions, hashApiKey, hashClientSecret, type PasskeyOptions, RedisStore } from '../../lib/index.js';
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
/** Swagger UI's OAuth2 redirect page, under the public URL: `demo-client`'s one redirect URI. */
export function swaggerRedirectUri(env: NodeJS.ProcessEnv): string {
  return `${publicUrl(env)}/docs/oauth2-redirect.html`;
}

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
    // Passkeys on the public URL's host (localhost by default): the relying-party id and the one
    // origin come from configuration, never from a request's Host header.
    passkeys: samplePasskeys(publicUrl(env)),
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
      clients: [
        // Public: Swagger UI and browser apps. Password grant, refresh, and authorization code + PKCE
        // (S256) with Swagger UI's redirect URI, matched exactly; no consent step.
        { id: 'demo-client', redirectUris: [swaggerRedirectUri(env)] },
        // Confidential machine client: client_credentials for items:read (client_secret_basic or _post).
        { id: 'demo-service', secretHash: hashClientSecret('demo-service-secret'), grantTypes: ['client_credentials'], scopes: ['items:read'] },
      ],
      defaultClient: 'demo-client',
      scopes: { 'items:read': 'Read items', 'items:write': 'Create items' },
      signing: env.JWT_SECRET ? { secret: env.JWT_SECRET } : { alg: 'EdDSA' },
      // The sample's contract keeps the password grant (design.md); the module warns at boot (RFC 9700 §2.4).
      passwordGrant: true,
    },
  };
}

/**
 * The sample's relying party: `PUBLIC_URL`'s host. An IP address cannot be a relying-party id: with
 * one, passkeys work on `localhost` at the same port instead.
 */
function samplePasskeys(url: string): PasskeyOptions {
  const origin = new URL(url);
  if (isIP(origin.hostname.replace(/^\[|\]$/g, ''))) origin.hostname = 'localhost';
  return { rpId: origin.hostname, rpName: 'nest-warden sample', origins: [origin.origin] };
}
