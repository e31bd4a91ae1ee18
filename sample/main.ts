import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './configure-app.js';
import { listenPort, publicUrl } from './sample-env.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  configureApp(app);
  const port = listenPort(process.env);
  await app.listen(port);
  const base = `http://localhost:${port}`;
  new Logger('sample').log(
    [
      `nest-warden sample on ${base} (${process.env.REDIS_URL ? 'state in Redis' : 'memory store'}, ` +
        `${process.env.JWT_SECRET ? 'HS256 with JWT_SECRET' : 'generated Ed25519 key'})`,
      `  Public URL:  ${publicUrl(process.env)}  (the tokens' issuer; PUBLIC_URL, the same for every instance behind a balancer)`,
      `  Swagger UI:  ${base}/docs  (Authorize: alice / alice-password)`,
      `  Get a token: curl -s -d grant_type=password -d username=alice -d password=alice-password ${base}/auth/token`,
      `  Call it:     curl -H "Authorization: Bearer <access_token>" ${base}/me`,
      `  API key:     curl -H "X-API-Key: demo-api-key" ${base}/reports`,
      `  Passkeys:    ${base}/passkeys  (sign in as alice, register a passkey, sign in with it; GET /account/security needs it)`,
      `  Service:     curl -s -u demo-service:demo-service-secret -d grant_type=client_credentials ${base}/auth/token`,
      `  Metadata:    ${base}/.well-known/oauth-authorization-server  (Swagger UI's Authorize also signs in with authorization code + PKCE)`,
    ].join('\n'),
  );
}

void bootstrap();
