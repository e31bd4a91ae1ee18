import { Controller, Get } from '@nestjs/common';
import { Auth, CurrentUser, type Principal } from '../../lib/index.js';

@Controller('reports')
export class ReportsController {
  /** Machine clients call this with the `X-API-Key` header. */
  @Auth('api-key')
  @Get()
  list(@CurrentUser() client: Principal) {
    return { client: client.id, reports: [{ id: 'weekly', title: 'Weekly activity' }] };
  }
}
