// The examples of docs/oauth.md. Type-checked by `npm run typecheck` and run by
// oauth.example.spec.ts; in your app, import from 'nest-warden' instead of '../../lib/index.js'.
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import * as oauth from 'oauth4webapi';
import {
  AuthModule,
  type AuthorizationLoginView,
  AuthorizationLoginPage,
  CurrentUser,
  DefaultAuthorizationLoginPage,
  escapeHtml,
  hashClientSecret,
  type Principal,
  Roles,
  Scopes,
  type UserAccount,
  UserDirectory,
} from '../../lib/index.js';

@Injectable()
export class UsersService extends UserDirectory {
  // A real app reads its users table; hashes come from PasswordHasher.hash() (argon2id).
  private readonly users = new Map<string, UserAccount>();

  add(account: UserAccount): void {
    this.users.set(account.username, account);
  }

  async findByUsername(username: string): Promise<UserAccount | null> {
    return this.users.get(username) ?? null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    return [...this.users.values()].find((user) => user.id === id) ?? null;
  }
}

// --- example: module
export const authModule = AuthModule.forRootAsync({
  useFactory: () => ({
    // Users sign in at GET /auth/authorize with the module's cookie session (lockout, 2FA included).
    session: { secure: process.env.NODE_ENV === 'production' },
    tokens: {
      issuer: process.env.PUBLIC_URL ?? 'https://api.example.com',
      scopes: { 'items:read': 'Read items', 'items:write': 'Create items' },
      clients: [
        // A browser or mobile app: public, authorization code + PKCE (S256), exact redirect URIs.
        { id: 'web-app', redirectUris: ['https://app.example.com/callback'] },
        // A backend service: client credentials with a secret (client_secret_basic or _post).
        {
          id: 'billing',
          secretHash: hashClientSecret(process.env.BILLING_CLIENT_SECRET!),
          grantTypes: ['client_credentials'],
          scopes: ['items:read'],
        },
        // A partner: private_key_jwt (RFC 7523) with its public key; its users approve it once per sign-in.
        {
          id: 'partner',
          jwks: { keys: [JSON.parse(process.env.PARTNER_PUBLIC_JWK!)] },
          redirectUris: ['https://partner.example.net/oauth/callback'],
          consent: true,
        },
      ],
    },
  }),
  // GET/POST /auth/authorize, POST /auth/token, /auth/revoke, /auth/introspect,
  // GET /.well-known/oauth-authorization-server and /.well-known/jwks.json
  tokenEndpoints: true,
  sessionEndpoints: true,
});
// --- end

// --- example: client-principal
@Controller()
export class ItemsController {
  // A user's token with items:read, or a service's (client credentials) with items:read.
  @Scopes('items:read')
  @Get('items')
  items(@CurrentUser() caller: Principal) {
    return { items: ['a', 'b'], for: caller.kind === 'client' ? `service ${caller.id}` : `user ${caller.username}` };
  }

  // A client has no roles: @Roles() refuses client-credentials tokens.
  @Roles('admin')
  @Get('admin/report')
  report() {
    return { ok: true };
  }
}
// --- end

// --- example: login-page
/** Your sign-in page: keep the form's action, method, hidden fields and input names. */
@Injectable()
export class BrandedLoginPage extends DefaultAuthorizationLoginPage {
  override renderLogin(view: AuthorizationLoginView): string {
    const page = super.renderLogin(view);
    return page.replace('<h1>Sign in</h1>', `<h1>Acme</h1><p>Signing in to ${escapeHtml(view.clientId)}</p>`);
  }
}

// In one of your modules:
//   providers: [{ provide: AuthorizationLoginPage, useClass: BrandedLoginPage }]
// --- end

@Module({
  imports: [authModule],
  controllers: [ItemsController],
  providers: [
    UsersService,
    { provide: UserDirectory, useExisting: UsersService },
    { provide: AuthorizationLoginPage, useClass: BrandedLoginPage },
  ],
})
export class AppModule {}

// --- example: service-client
/** A backend service asks for a token with client credentials (oauth4webapi, panva's client). */
export async function serviceToken(issuer: URL, secret: string, options: { [oauth.allowInsecureRequests]?: boolean } = {}): Promise<string> {
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...options }));
  const client: oauth.Client = { client_id: 'billing' };
  const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret), { scope: 'items:read' }, options);
  const { access_token } = await oauth.processClientCredentialsResponse(as, client, response);
  return access_token;
}
// --- end
