import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PrincipalThrottlerGuard } from './principal-throttler.guard.js';

/**
 * Registers `PrincipalThrottlerGuard` as a global guard. Import it AFTER `AuthModule` (and configure
 * `ThrottlerModule.forRoot()` as usual): global guards run in module registration order, so the
 * throttler then sees the principal `AuthGuard` attached.
 */
@Module({
  providers: [{ provide: APP_GUARD, useClass: PrincipalThrottlerGuard }],
})
export class PrincipalThrottlerModule {}
