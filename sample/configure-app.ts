import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthDocument } from '../lib/openapi/index.js';
import { swaggerRedirectUri } from './auth/sample-auth.options.js';

/** The hook API of a Fastify instance that the sample uses (no Fastify import needed for an Express app). */
interface FastifyHooks {
  addHook(
    name: 'onRequest',
    hook: (
      request: { raw: IncomingMessage },
      reply: { raw: ServerResponse },
      done: (error?: Error) => void,
    ) => void,
  ): unknown;
}

/** Everything the sample adds to a Nest app besides its modules: security headers and the OpenAPI docs. */
export function configureApp(app: INestApplication): void {
  const securityHeaders = helmet();
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') {
    // The same helmet middleware on the raw Node request/response: Fastify keeps headers set there.
    (adapter.getInstance() as FastifyHooks).addHook('onRequest', (request, reply, done) =>
      securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
    );
  } else {
    app.use(securityHeaders);
  }
  const config = new DocumentBuilder()
    .setTitle('nest-warden sample')
    .setDescription(
      'Notes and posts, protected by nest-warden. Authorize with alice / alice-password or bob / bob-password.',
    )
    .setVersion('1.0')
    .build();
  // The Authorize dialog's OAuth2 flow comes from the module: its token endpoint, refresh and scopes.
  // Swagger UI's Authorize dialog signs in with the authorization code flow and PKCE as demo-client.
  SwaggerModule.setup('docs', app, () => createAuthDocument(app, config), {
    swaggerOptions: {
      oauth2RedirectUrl: swaggerRedirectUri(process.env),
      initOAuth: { clientId: 'demo-client', usePkceWithAuthorizationCodeGrant: true },
    },
  });
}
