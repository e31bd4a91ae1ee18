import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type Provider from 'oidc-provider';

/** The API every token is minted for, unless a test asks for another audience. */
export const API_RESOURCE = 'api://nest-warden-test';
export const OTHER_RESOURCE = 'api://someone-else';
/** A resource whose access tokens are opaque (checked by introspection, RFC 7662). */
export const OPAQUE_RESOURCE = 'api://nest-warden-opaque';
/** The API's own credentials at the provider, for introspection (signed responses on request, RFC 9701). */
export const INTROSPECTION_CLIENT = { clientId: 'resource-server', clientSecret: 'resource-server-secret' } as const;
/** The same, registered for `client_secret_post`. */
export const INTROSPECTION_POST_CLIENT = { clientId: 'resource-server-post', clientSecret: 'resource-server-post-secret' } as const;
export const WEB_REDIRECT = 'http://127.0.0.1/callback';

const CLIENTS = [
  { client_id: 'service', client_secret: 'service-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
  { client_id: 'other-service', client_secret: 'other-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
  {
    client_id: INTROSPECTION_POST_CLIENT.clientId,
    client_secret: INTROSPECTION_POST_CLIENT.clientSecret,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: [],
    redirect_uris: [],
    response_types: [],
  },
  {
    client_id: INTROSPECTION_CLIENT.clientId,
    client_secret: INTROSPECTION_CLIENT.clientSecret,
    grant_types: [],
    redirect_uris: [],
    response_types: [],
  },
  {
    client_id: 'web',
    client_secret: 'web-secret',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [WEB_REDIRECT],
  },
].map((client) => ({ ...client, id_token_signed_response_alg: 'ES256', introspection_signed_response_alg: 'ES256', scope: 'openid profile items:read items:write' }));

/** oidc-provider prints notices meant for production deployments; tests do not need them. */
async function quietly<T>(action: () => Promise<T> | T): Promise<T> {
  const { warn, info } = console;
  console.warn = () => undefined;
  console.info = () => undefined;
  try {
    return await action();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
}

/**
 * A real OpenID Provider (`oidc-provider`) on 127.0.0.1 with a random port. It issues JWT access
 * tokens (RFC 9068, through resource indicators) by client credentials, and ID tokens plus
 * access tokens by an authorization code flow the test drives (login and consent are answered
 * by the test itself). It can rotate its keys, and go down.
 */
export class TestOpenIdProvider {
  /** Requests per path, e.g. `/.well-known/openid-configuration`, `/jwks`. */
  readonly hits = new Map<string, number>();
  /** While `true`, connections are reset as if the provider were unreachable. */
  down = false;
  /** Extra claims written into every access token (e.g. Keycloak-shaped ones). */
  accessTokenClaims: Record<string, unknown> = {};

  private provider!: Provider;
  private keys: JWK[] = [];
  private generation = 0;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(): Promise<TestOpenIdProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const op = new TestOpenIdProvider(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => op.handle(req, res));
    await op.rotateKeys({ keepPrevious: false });
    return op;
  }

  /** The `kid` new tokens are signed with. */
  get currentKid(): string {
    return this.keys[0].kid!;
  }

  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  /** Signs with a new key from now on; `keepPrevious` keeps publishing the old one (a normal rollover). */
  async rotateKeys({ keepPrevious = true } = {}): Promise<string> {
    const key = await signingKey(`key-${++this.generation}`);
    this.keys = keepPrevious ? [key, ...this.keys] : [key];
    this.provider = await this.build();
    return key.kid!;
  }

  /** `grant_type=client_credentials` with a resource indicator: a JWT access token for `resource`. */
  async clientCredentials(options: { client?: string; secret?: string; resource?: string; scope?: string } = {}): Promise<string> {
    const client = options.client ?? 'service';
    const secret = options.secret ?? (client === 'service' ? 'service-secret' : 'other-secret');
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: options.resource ?? API_RESOURCE, scope: options.scope ?? 'items:read' }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /**
   * Drives the authorization code flow with PKCE as a browser would: /auth → login and consent
   * (answered for `account`) → redirect with a code → /token. Returns the ID token and the access token.
   */
  async authorizationCode(account: string): Promise<{ idToken: string; accessToken: string }> {
    const cookies = new Map<string, string>();
    const verifier = randomBytes(32).toString('base64url');
    const go = async (url: string): Promise<string> => {
      const res = await fetch(new URL(url, this.issuer), {
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (res.status !== 303 && res.status !== 302) throw new Error(`unexpected ${res.status} at ${url}: ${await res.text()}`);
      return location!;
    };
    const params = new URLSearchParams({
      client_id: 'web',
      response_type: 'code',
      redirect_uri: WEB_REDIRECT,
      scope: 'openid profile',
      resource: API_RESOURCE,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: randomBytes(8).toString('hex'),
      login_hint: account,
    });
    let location = await go(`/auth?${params}`);
    for (let hop = 0; hop < 10 && !location.startsWith(WEB_REDIRECT); hop++) location = await go(location);
    const code = new URL(location).searchParams.get('code');
    if (!code) throw new Error(`no code in ${location}`);
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('web:web-secret').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, code_verifier: verifier }),
    });
    const body = (await res.json()) as { id_token?: string; access_token?: string };
    if (!body.id_token || !body.access_token) throw new Error(`code exchange failed: ${JSON.stringify(body)}`);
    return { idToken: body.id_token, accessToken: body.access_token };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    this.hits.set(path, this.count(path) + 1);
    if (this.down) {
      req.socket.destroy();
      return;
    }
    if (path.startsWith('/interaction/')) {
      this.interact(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    this.provider.callback()(req, res);
  }

  /** The login and consent pages, answered without a user: log in as `login_hint`, grant what was asked. */
  private async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await this.provider.interactionFinished(req, res, { login: { accountId: String(details.params.login_hint) } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new this.provider.Grant({ accountId: details.session!.accountId!, clientId: String(details.params.client_id) });
    grant.addOIDCScope('openid profile');
    grant.addResourceScope(API_RESOURCE, 'items:read');
    await this.provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  private async build(): Promise<Provider> {
    const { default: ProviderClass } = await quietly(() => import('oidc-provider'));
    return quietly(
      () =>
        new ProviderClass(this.issuer, {
          clients: CLIENTS,
          jwks: { keys: this.keys },
          cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
          scopes: ['openid', 'profile', 'items:read', 'items:write'],
          claims: { openid: ['sub'], profile: ['preferred_username'] },
          conformIdTokenClaims: false,
          findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, preferred_username: id }) }),
          ttl: { AccessToken: 300, ClientCredentials: 300, IdToken: 300, AuthorizationCode: 60, Interaction: 300, Session: 600, Grant: 600 },
          features: {
            devInteractions: { enabled: false },
            clientCredentials: { enabled: true },
            introspection: { enabled: true },
            jwtIntrospection: { enabled: true },
            resourceIndicators: {
              enabled: true,
              defaultResource: () => API_RESOURCE,
              useGrantedResource: () => true,
              getResourceServerInfo: (_ctx: unknown, resource: string) => ({
                scope: 'items:read items:write',
                audience: resource,
                accessTokenFormat: resource.startsWith(OPAQUE_RESOURCE) ? 'opaque' : 'jwt',
                accessTokenTTL: 300,
                jwt: { sign: { alg: 'ES256' } },
              }),
            },
          },
          extraTokenClaims: () => this.accessTokenClaims,
        }),
    );
  }
}
