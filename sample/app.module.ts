import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule, PasskeyDirectory, UserDirectory } from '../lib/index.js';
import { sampleAuthOptions } from './auth/sample-auth.options.js';
import { ItemsController } from './items/items.controller.js';
import { DemoPasskeys } from './passkeys/demo-passkeys.js';
import { PasskeysPageController } from './passkeys/passkeys-page.controller.js';
import { PostOwnership } from './posts/post-ownership.js';
import { PostsController } from './posts/posts.controller.js';
import { PostsService } from './posts/posts.service.js';
import { ReportsController } from './reports/reports.controller.js';
import { DemoUsers } from './users/demo-users.js';
import { itemsRateLimit } from './sample-env.js';
import { UsersController } from './users/users.controller.js';

/**
 * The notes/posts API of design.md ("The sample app"). Every route without a nest-warden decorator
 * is protected by the default strategies: a bearer token from /auth/token or the session cookie.
 */
@Module({
  imports: [
    AuthModule.forRootAsync({
      useFactory: () => sampleAuthOptions(process.env),
      // POST /auth/token, POST /auth/revoke, GET /.well-known/jwks.json
      tokenEndpoints: true,
      // POST /auth/session, POST /auth/session/logout (and GET /auth/session, /logout-all)
      sessionEndpoints: true,
      // Passkeys: registration, sign-in, step-up, list/rename/delete under /auth/passkeys (page: GET /passkeys)
      passkeyEndpoints: true,
      // GET /.well-known/oauth-protected-resource (RFC 9728)
      resourceMetadataEndpoint: true,
    }),
    // GET /items: ITEMS_RATE_LIMIT requests per ITEMS_RATE_WINDOW_SECONDS per principal (100 per
    // minute by default), counted in the module's store: in Redis with REDIS_URL, so the limit holds
    // in total across instances. Applied with @UseGuards(PrincipalThrottlerGuard) on that route only.
    ThrottlerModule.forRootAsync({
      useFactory: () => {
        const { limit, windowMs } = itemsRateLimit(process.env);
        return [{ limit, ttl: windowMs }];
      },
    }),
  ],
  controllers: [UsersController, ItemsController, PostsController, ReportsController, PasskeysPageController],
  providers: [
    DemoUsers,
    { provide: UserDirectory, useExisting: DemoUsers },
    DemoPasskeys,
    { provide: PasskeyDirectory, useExisting: DemoPasskeys },
    PostsService,
    PostOwnership,
  ],
})
export class AppModule {}
