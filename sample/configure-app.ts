import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { createAuthDocument } from '../lib/openapi/index.js';

/** Everything the sample adds to a Nest app besides its modules: security headers and the OpenAPI docs. */
export function configureApp(app: INestApplication): void {
  if (app.getHttpAdapter().getType() === 'express') app.use(helmet());
  const config = new DocumentBuilder()
    .setTitle('nest-warden sample')
    .setDescription('Notes and posts, protected by nest-warden. Authorize with alice / alice-password or bob / bob-password.')
    .setVersion('1.0')
    .build();
  SwaggerModule.setup('docs', app, () =>
    createAuthDocument(app, config, {
      oauth2: {
        tokenUrl: '/auth/token',
        refreshUrl: '/auth/token',
        scopes: { 'items:read': 'Read items', 'items:write': 'Create items' },
      },
    }),
  );
}
