// Examples for docs/request-policies.md. Type-checked by `tsc` (tsconfig includes docs/).
// In your app, import from 'nest-warden' and 'nest-warden/throttling'.
import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Throttle, ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  AllowFrom,
  Auth,
  AuthModule,
  AuthStore,
  type Denial,
  describeRoutes,
  type Principal,
  Public,
  Roles,
} from '../../lib/index.js';
import { AuthStoreThrottlerStorage, PrincipalThrottlerGuard, PrincipalThrottlerModule } from '../../lib/throttling/index.js';

const HOUR = 60 * 60 * 1000;

// --- Controllers -------------------------------------------------------------------------------

@Controller()
export class ReportsController {
  /** 100 requests per hour per API key: each key has its own budget, whatever its address. */
  @Auth('api-key')
  @Throttle({ default: { limit: 100, ttl: HOUR } })
  @Get('reports')
  reports() {
    return [];
  }

  /** Public, but only from the cluster network and the office. */
  @Public()
  @AllowFrom('10.0.0.0/8', '192.168.1.1', '2001:db8::/32')
  @Get('internal/metrics')
  metrics() {
    return {};
  }
}

/** Every route of the class only from loopback and the VPN; `@Roles` still applies after that. */
@AllowFrom('loopback', '100.64.0.0/10')
@Roles('admin')
@Controller('admin')
export class AdminController {
  @Get('users')
  users() {
    return [];
  }
}

// --- Module ------------------------------------------------------------------------------------

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['EdDSA'], jwksUri: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com', audience: 'reports-api' },
      // One load balancer in front of the app, somewhere in 10.0.0.0/8.
      trustProxy: ['10.0.0.0/8'],
      // Production: refuse plain HTTP, except the orchestrator probing /health on the node network.
      requireHttps: process.env.NODE_ENV === 'production' ? { exempt: ['10.0.0.0/8'] } : false,
      strict: true,
      errorResponse: 'problem+json',
    }),
    // Configure the throttler as usual; the default applies where no @Throttle() says otherwise.
    ThrottlerModule.forRoot([{ ttl: 60_000, limit: 600 }]),
    // AFTER AuthModule: global guards run in module registration order.
    PrincipalThrottlerModule,
  ],
  controllers: [ReportsController, AdminController],
})
export class AppModule {}

// --- A budget per OAuth client instead of per user --------------------------------------------

@Injectable()
export class ClientThrottlerGuard extends PrincipalThrottlerGuard {
  protected override principalTracker(principal: Principal): string {
    return principal.clientId ? `client:${principal.clientId}` : super.principalTracker(principal);
  }
}
// Register it with `@UseGuards(ClientThrottlerGuard)` on controllers (controller guards always run
// after global ones), or as APP_GUARD in a module imported after AuthModule.

// --- Throttler's own guard (per IP address), counted in nest-warden's store too -----------------

@Module({
  imports: [
    AuthModule.forRoot({ jwt: { algorithms: ['EdDSA'], jwksUri: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com', audience: 'reports-api' } }),
    // AuthModule exports AuthStore: with RedisStore, this limit holds across instances.
    ThrottlerModule.forRootAsync({
      inject: [AuthStore],
      useFactory: (store: AuthStore) => ({ throttlers: [{ ttl: 60_000, limit: 600 }], storage: new AuthStoreThrottlerStorage(store) }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class PerAddressLimitModule {}

// --- Your own error bodies ---------------------------------------------------------------------

export const errorResponse = (denial: Denial) => ({
  error: { code: denial.code, message: denial.message, ...(denial.scopes ? { scopes: denial.scopes } : {}) },
});
// AuthModule.forRoot({ ..., errorResponse })

// --- The route security manifest --------------------------------------------------------------

/** Print the table, or fail a CI check when a route is public that should not be. */
export function auditRoutes(app: INestApplication): void {
  const routes = describeRoutes(app);
  console.table(routes.map(({ method, path, access, strategies, roles, scopes, allowFrom }) => ({
    method,
    path,
    access,
    strategies: strategies.join(', '),
    roles: roles.join(', '),
    scopes: scopes.join(', '),
    allowFrom: allowFrom.join(', '),
  })));
  const unexpected = routes.filter((route) => route.access === 'public' && route.path.startsWith('/admin'));
  if (unexpected.length) throw new Error(`Public admin routes: ${unexpected.map((r) => r.path).join(', ')}`);
}
