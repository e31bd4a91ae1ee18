import { Controller, Get, Module } from '@nestjs/common';
import { AuthModule, CurrentUser, type Principal, Public, UserDirectory } from '../lib/index.js';
import { sampleAuthOptions } from './auth/sample-auth.options.js';
import { DemoUsers } from './users/demo-users.js';

@Controller()
class SampleController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('me')
  me(@CurrentUser() user: Principal) {
    return { id: user.id, username: user.username ?? user.id, roles: user.roles };
  }
}

@Module({
  imports: [
    // POST /auth/token, POST /auth/revoke, GET /.well-known/jwks.json; access tokens verified by the jwt strategy.
    AuthModule.forRootAsync({ useFactory: () => sampleAuthOptions(process.env), tokenEndpoints: true }),
  ],
  controllers: [SampleController],
  providers: [DemoUsers, { provide: UserDirectory, useExisting: DemoUsers }],
})
export class AppModule {}
