// Examples from docs/strategies.md. Type-checked by `tsc`; strategies.example.spec.ts runs them.
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import {
  type ApiKeyIdentity,
  ApiKeyValidator,
  Auth,
  AuthModule,
  CurrentUser,
  generateApiKey,
  hashApiKey,
  type Principal,
  Roles,
  Scopes,
  type UserAccount,
  UserDirectory,
} from '../../lib/index.js';

// --- API keys -------------------------------------------------------------------------------

/** Run once to mint a key: give `key` to the client, put `hash` in your configuration. */
export function mintApiKey(): { key: string; hash: string } {
  const key = generateApiKey('acme_live_');
  return { key, hash: hashApiKey(key) };
}

/** Your table of partner keys; it stores only `hashApiKey(key)`. */
@Injectable()
export class PartnerKeyRepository {
  private readonly rows = new Map<string, { partnerId: string; name: string; revoked: boolean }>();

  add(key: string, partnerId: string, name: string): void {
    this.rows.set(hashApiKey(key), { partnerId, name, revoked: false });
  }

  async findByHash(hash: string) {
    return this.rows.get(hash) ?? null;
  }
}

/** Looks partner keys up by hash: the database never holds a usable key. */
@Injectable()
export class PartnerKeys extends ApiKeyValidator {
  constructor(private readonly repository: PartnerKeyRepository) {
    super();
  }

  async validate(key: string): Promise<ApiKeyIdentity | null> {
    const row = await this.repository.findByHash(hashApiKey(key));
    if (!row || row.revoked) return null;
    return { id: row.partnerId, username: row.name, scopes: ['orders:read'] };
  }
}

@Controller()
export class ReportsController {
  @Auth('api-key')
  @Get('reports')
  reports(@CurrentUser() caller: Principal) {
    return { generatedFor: caller.id };
  }

  @Auth('partner-key')
  @Scopes('orders:read')
  @Get('partner/orders')
  partnerOrders(@CurrentUser('id') partnerId: string) {
    return { partnerId, orders: [] };
  }

  /** People with a token, or machines with a key. */
  @Auth('jwt', 'api-key')
  @Get('exports')
  exports(@CurrentUser() caller: Principal) {
    return { by: caller.strategy };
  }
}

/** In a real app these come from your configuration (forRootAsync), never from source code. */
export const EXAMPLE_JWT_SECRET = 'example-only-secret-of-at-least-32-bytes!!';
export const REPORTING_KEY_HASH = hashApiKey('example-only-reporting-key-0123456789');

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['HS256'], secret: EXAMPLE_JWT_SECRET },
      apiKeys: [
        // The first entry is the `api-key` strategy.
        {
          header: 'X-API-Key',
          keys: [{ id: 'reporting-job', hash: REPORTING_KEY_HASH, roles: ['reporter'] }],
        },
        // Further entries are strategies of their own; name them.
        { name: 'partner-key', query: 'api_key', validator: PartnerKeys },
      ],
    }),
  ],
  controllers: [ReportsController],
  providers: [PartnerKeyRepository, PartnerKeys],
})
export class ApiKeysExampleModule {}

// --- HTTP Basic -----------------------------------------------------------------------------

/** Your users, as nest-warden needs to see them (e.g. a TypeORM repository behind it). */
@Injectable()
export class UsersService extends UserDirectory {
  private readonly accounts = new Map<string, UserAccount>();

  save(account: UserAccount): void {
    this.accounts.set(account.username, account);
  }

  async findByUsername(username: string): Promise<UserAccount | null> {
    return this.accounts.get(username) ?? null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    return [...this.accounts.values()].find((account) => account.id === id) ?? null;
  }

  /** Called after a login whose hash used older parameters. */
  override async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const account = await this.findById(id);
    if (account) this.save({ ...account, passwordHash });
  }
}

@Controller('basic')
export class BasicController {
  @Auth('basic')
  @Get('whoami')
  whoami(@CurrentUser() user: Principal) {
    return { username: user.username };
  }
}

@Module({
  imports: [AuthModule.forRoot({ basic: {}, realm: 'acme', global: false })],
  controllers: [BasicController],
  providers: [UsersService, { provide: UserDirectory, useExisting: UsersService }],
})
export class BasicExampleModule {}

// --- OpenID Connect (Keycloak) --------------------------------------------------------------

/** Stands in for your configuration service (e.g. @nestjs/config's ConfigService). */
@Injectable()
export class SsoSettings {
  readonly issuer = process.env.OIDC_ISSUER ?? 'https://sso.example.com/realms/acme';
  readonly apiClientId = process.env.OIDC_API_CLIENT ?? 'orders-api';
}

@Module({ providers: [SsoSettings], exports: [SsoSettings] })
export class SsoSettingsModule {}

@Controller('orders')
export class OrdersController {
  /** No decorator: protected by the default strategies, here `oidc`. */
  @Get()
  list(@CurrentUser() user: Principal) {
    return { for: user.username, roles: user.roles };
  }

  @Roles('auditor')
  @Get('audit')
  audit() {
    return [];
  }
}

@Module({
  imports: [
    AuthModule.forRootAsync({
      imports: [SsoSettingsModule],
      inject: [SsoSettings],
      useFactory: (sso: SsoSettings) => ({
        oidc: {
          issuer: sso.issuer,
          preset: 'keycloak',
          // Keycloak puts the API in `aud` once an "audience" mapper is configured on the client.
          audience: sso.apiClientId,
          // Roles of this client (resource_access.orders-api.roles) join the realm roles.
          clientId: sso.apiClientId,
        },
      }),
    }),
  ],
  controllers: [OrdersController],
})
export class KeycloakExampleModule {}
