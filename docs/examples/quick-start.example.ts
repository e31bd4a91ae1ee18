// The README's quick start: JWT + roles + Swagger + the current user. Type-checked by `tsc`;
// quick-start.example.spec.ts boots it on both adapters, and doc-blocks.spec.ts keeps the README's
// copy equal to this file's region.
// --- example: quick-start
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AuthModule, CurrentUser, Public, Roles, type Principal } from '../../lib/index.js';
import { createAuthDocument } from '../../lib/openapi/index.js';

@Controller()
export class AppController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('me') // no decorator: protected by the global guard, 401 without a valid token
  me(@CurrentUser() user: Principal) {
    return { id: user.id, roles: user.roles };
  }

  @Roles('editor') // admins are editors too (hierarchy); others get 403
  @Get('drafts')
  drafts() {
    return [];
  }
}

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['RS256'], jwksUri: process.env.JWKS_URI!, issuer: process.env.ISSUER!, audience: 'api' },
      roles: { hierarchy: { admin: ['editor'] } },
    }),
  ],
  controllers: [AppController],
})
export class AppModule {}

// In main.ts, after NestFactory.create(AppModule): Swagger UI with the security written in.
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => createAuthDocument(app, new DocumentBuilder().setTitle('API').build()));
}
// --- end
