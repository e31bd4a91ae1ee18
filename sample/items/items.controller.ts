import { BadRequestException, Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { CurrentUser, type Principal, Scopes } from '../../lib/index.js';
import { PrincipalThrottlerGuard } from '../../lib/throttling/index.js';

interface Item {
  readonly id: number;
  readonly name: string;
  readonly createdBy: string;
}

@Controller('items')
export class ItemsController {
  private readonly items: Item[] = [{ id: 1, name: 'First item', createdBy: 'alice' }];

  /** Rate-limited per principal (see AppModule's ThrottlerModule): 429 + Retry-After past the limit. */
  @Scopes('items:read')
  @UseGuards(PrincipalThrottlerGuard)
  @Get()
  list(): Item[] {
    return this.items;
  }

  @Scopes('items:write')
  @Post()
  create(@Body() body: unknown, @CurrentUser() user: Principal): Item {
    const name = (body as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
      throw new BadRequestException('name must be a non-empty string of at most 200 characters');
    }
    const item = { id: this.items.length + 1, name: name.trim(), createdBy: user.id };
    this.items.push(item);
    return item;
  }
}
