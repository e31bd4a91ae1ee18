// Examples for docs/openapi.md, type-checked by `tsc` and run by openapi.example.spec.ts.
// In your app, import from 'nest-warden' and 'nest-warden/openapi' instead of ../../lib.
import { createHash, randomBytes } from 'node:crypto';
import { Controller, Get, type INestApplication, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  Auth,
  AuthError,
  AuthModule,
  type AuthRequest,
  AuthStrategy,
  CurrentUser,
  OptionalAuth,
  type Principal,
  Public,
  readHeader,
  Roles,
  Scopes,
  type SecuritySchemeDescription,
} from '../../lib/index.js';
import { createAuthDocument } from '../../lib/openapi/index.js';

// --- Controllers: nothing Swagger-specific about security is written here. ---

@Controller('items')
export class ItemsController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @OptionalAuth()
  @Get('featured')
  featured(@CurrentUser() user?: Principal) {
    return { personalised: user !== undefined };
  }

  @Scopes('items:read')
  @Get()
  list() {
    return [];
  }

  @Scopes('items:write')
  @Post()
  create() {
    return { id: 'item-1' };
  }

  @Roles('admin')
  @Get('audit')
  audit() {
    return [];
  }
}

@Auth('partner-key')
@Controller('reports')
export class ReportsController {
  @Get()
  list() {
    return [];
  }
}

// --- A custom strategy describes its own security scheme. ---

@Injectable()
export class PartnerKeyStrategy extends AuthStrategy {
  readonly name = 'partner-key';
  /** SHA-256 of each issued key → partner id (keys themselves are never stored). */
  private readonly partners = new Map([[createHash('sha256').update('demo-partner-key').digest('hex'), 'partner-1']]);

  authenticate(request: AuthRequest): Principal | null {
    const key = readHeader(request, 'x-partner-key');
    if (key === undefined) return null; // not my credentials: the guard tries the next strategy
    const partner = this.partners.get(createHash('sha256').update(key).digest('hex'));
    if (!partner) throw new AuthError('invalid_credentials', { strategy: this.name });
    return { id: partner, roles: ['partner'], scopes: [], permissions: [], strategy: this.name };
  }

  override securityScheme(): SecuritySchemeDescription {
    return { type: 'apiKey', in: 'header', name: 'X-Partner-Key' };
  }
}

@Module({
  imports: [
    AuthModule.forRoot({
      // Without JWT_SECRET, a random secret per start (development only: tokens die with the process).
      jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET ?? randomBytes(32).toString('base64url') },
      strategies: [PartnerKeyStrategy],
    }),
  ],
  controllers: [ItemsController, ReportsController],
  providers: [PartnerKeyStrategy],
})
export class AppModule {}

// --- The one call: build the document with createAuthDocument instead of SwaggerModule.createDocument. ---

export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder().setTitle('Items API').setVersion('1.0').build();
  return createAuthDocument(app, config, {
    oauth2: {
      tokenUrl: '/auth/token',
      refreshUrl: '/auth/token',
      scopes: { 'items:read': 'Read items', 'items:write': 'Create and change items' },
    },
  });
}

export function setupSwagger(app: INestApplication): void {
  // A factory: the document is built on the first request for /docs, after the app started.
  SwaggerModule.setup('docs', app, () => buildApiDocument(app));
}

export async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  setupSwagger(app);
  await app.listen(Number(process.env.PORT ?? 3000));
}
