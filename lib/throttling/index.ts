// `nest-warden/throttling`: per-principal rate limits on @nestjs/throttler (an optional peer dependency).
// Kept out of the main entry point so applications without @nestjs/throttler never load it.
export { AuthStoreThrottlerStorage, THROTTLER_KEY_PREFIX, type ThrottlerStorageRecord } from './auth-store-throttler.storage.js';
export { PrincipalThrottlerGuard } from './principal-throttler.guard.js';
export { PrincipalThrottlerModule } from './principal-throttler.module.js';
