// Makes the ESM namespaces of @nestjs/common and @nestjs/core reachable from CommonJS peers
// (@nestjs/throttler) under Jest; see cjs-peers.resolver.cjs.
import * as common from '@nestjs/common';
import * as core from '@nestjs/core';

const shared = globalThis as Record<symbol, unknown>;
shared[Symbol.for('nest-warden:jest:@nestjs/common')] = common;
shared[Symbol.for('nest-warden:jest:@nestjs/core')] = core;
