import { Module } from '@nestjs/common';
import { AuthModule, UserDirectory } from '../lib/index.js';
import { sampleAuthOptions } from './auth/sample-auth.options.js';
import { ItemsController } from './items/items.controller.js';
import { PostOwnership } from './posts/post-ownership.js';
import { PostsController } from './posts/posts.controller.js';
import { PostsService } from './posts/posts.service.js';
import { ReportsController } from './reports/reports.controller.js';
import { DemoUsers } from './users/demo-users.js';
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
    }),
  ],
  controllers: [UsersController, ItemsController, PostsController, ReportsController],
  providers: [DemoUsers, { provide: UserDirectory, useExisting: DemoUsers }, PostsService, PostOwnership],
})
export class AppModule {}
