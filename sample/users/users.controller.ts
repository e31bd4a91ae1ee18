import { Controller, Get } from '@nestjs/common';
import { Auth, CurrentUser, type Principal, Public, Roles } from '../../lib/index.js';
import { DemoUsers } from './demo-users.js';

@Controller()
export class UsersController {
  constructor(private readonly users: DemoUsers) {}

  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** Protected by the default strategies (bearer token or session cookie): no decorator needed. */
  @Get('me')
  async me(@CurrentUser() user: Principal) {
    const account = await this.users.findById(user.id);
    return { id: user.id, username: account?.username ?? user.username ?? user.id, roles: user.roles };
  }

  @Roles('admin')
  @Get('admin/users')
  list() {
    return this.users.list();
  }

  @Auth('basic')
  @Get('basic/whoami')
  whoami(@CurrentUser() user: Principal) {
    return { username: user.username ?? user.id };
  }
}
