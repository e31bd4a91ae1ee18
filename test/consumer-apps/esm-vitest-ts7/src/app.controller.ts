import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Public, Roles, type Principal } from 'nest-warden';
import { AppService } from './app.service.js';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Roles('admin')
  @Get('admin/stats')
  stats(@CurrentUser() user: Principal) {
    return { requestedBy: user.id, users: this.appService.userCount() };
  }
}
