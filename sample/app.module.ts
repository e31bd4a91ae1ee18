import { Controller, Get, Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuthModule, CurrentUser, type Principal, Public } from '../lib/index.js';

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

const secret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');

@Module({
  imports: [AuthModule.forRoot({ jwt: { algorithms: ['HS256'], secret } })],
  controllers: [SampleController],
})
export class AppModule {}
