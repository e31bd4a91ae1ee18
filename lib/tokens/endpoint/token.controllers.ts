import { Controller, Get, HttpCode, type OnApplicationBootstrap, Post, Req, Res, SetMetadata, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Public } from '../../decorators/public.decorator.js';
import { resolveEndpoints } from '../../http/define-route.js';
import { type EndpointAnswer, TokenEndpoint } from './token-endpoint.js';
import { AuthorizationEndpoint } from './authorization-endpoint.js';
import { TOKEN_ENDPOINT_OPERATION, type TokenEndpointOperation } from './token-endpoint-operation.js';
import type { FormRequest } from '../grants/token-request.js';
import type { TokenEndpointPaths } from '../tokens.options.js';

export const DEFAULT_TOKEN_PATHS: Required<TokenEndpointPaths> = Object.freeze({
  token: '/auth/token',
  revoke: '/auth/revoke',
  jwks: '/.well-known/jwks.json',
  authorize: '/auth/authorize',
  introspect: '/auth/introspect',
  metadata: '/.well-known/oauth-authorization-server',
});

/** The paths `forRoot({ tokenEndpoints })` mounts, or `undefined` when it mounts none. */
export function resolveTokenPaths(given: boolean | TokenEndpointPaths | undefined): Required<TokenEndpointPaths> | undefined {
  return resolveEndpoints<Required<TokenEndpointPaths>>(given, DEFAULT_TOKEN_PATHS);
}

/** Writes an endpoint answer through the adapter: the same bytes on Express and Fastify. */
function send(adapterHost: HttpAdapterHost, response: unknown, answer: EndpointAnswer): void {
  const adapter = adapterHost.httpAdapter;
  for (const [name, value] of answer.headers) adapter.setHeader(response, name, value);
  adapter.reply(response, answer.body, answer.status);
}

/** Names the endpoint for `createAuthDocument` (request body and answers); see `token-endpoint-operation.ts`. */
const documentedAs = (operation: TokenEndpointOperation) => SetMetadata(TOKEN_ENDPOINT_OPERATION, operation);

/**
 * The controllers for `forRoot({ tokenEndpoints })`, created when the module is declared so their
 * paths are the configured ones. Each is `@Public()`: the endpoints authenticate clients themselves.
 */
export function createTokenControllers(given: boolean | TokenEndpointPaths | undefined): Type[] {
  const paths = resolveTokenPaths(given);
  if (!paths) return [];
  const controllers: Type[] = [];
  if (paths.token) controllers.push(tokenController(paths.token));
  if (paths.revoke) controllers.push(revokeController(paths.revoke));
  if (paths.jwks) controllers.push(jwksController(paths.jwks));
  if (paths.introspect) controllers.push(introspectionController(paths.introspect));
  if (paths.metadata) controllers.push(metadataController(paths.metadata));
  if (paths.authorize) controllers.push(authorizationController(paths.authorize));
  return controllers;
}

function tokenController(path: string): Type {
  @Controller()
  class TokenController implements OnApplicationBootstrap {
    constructor(
      readonly endpoint: TokenEndpoint,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
      this.endpoint.assertUsable('token', true);
    }

    @Public()
    @Post(path)
    @HttpCode(200)
    @documentedAs('token')
    async token(@Req() request: FormRequest, @Res() response: unknown): Promise<void> {
      send(this.adapterHost, response, await this.endpoint.token(request));
    }
  }
  return TokenController;
}

function revokeController(path: string): Type {
  @Controller()
  class TokenRevocationController implements OnApplicationBootstrap {
    constructor(
      readonly endpoint: TokenEndpoint,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
      this.endpoint.assertUsable('revocation', false);
    }

    @Public()
    @Post(path)
    @HttpCode(200)
    @documentedAs('revoke')
    async revoke(@Req() request: FormRequest, @Res() response: unknown): Promise<void> {
      send(this.adapterHost, response, await this.endpoint.revoke(request));
    }
  }
  return TokenRevocationController;
}

function jwksController(path: string): Type {
  @Controller()
  class JwksController implements OnApplicationBootstrap {
    constructor(
      readonly endpoint: TokenEndpoint,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
      this.endpoint.assertUsable('JWKS', false);
    }

    @Public()
    @Get(path)
    @documentedAs('jwks')
    async jwks(@Res() response: unknown): Promise<void> {
      send(this.adapterHost, response, await this.endpoint.jwks());
    }
  }
  return JwksController;
}

function introspectionController(path: string): Type {
  @Controller()
  class TokenIntrospectionController implements OnApplicationBootstrap {
    constructor(
      readonly endpoint: TokenEndpoint,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
      this.endpoint.assertUsable('introspection', false);
    }

    @Public()
    @Post(path)
    @HttpCode(200)
    @documentedAs('introspect')
    async introspect(@Req() request: FormRequest, @Res() response: unknown): Promise<void> {
      send(this.adapterHost, response, await this.endpoint.introspect(request));
    }
  }
  return TokenIntrospectionController;
}

function metadataController(path: string): Type {
  @Controller()
  class AuthorizationServerMetadataController implements OnApplicationBootstrap {
    constructor(
      readonly endpoint: TokenEndpoint,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
      this.endpoint.assertUsable('metadata', false);
    }

    @Public()
    @Get(path)
    @documentedAs('metadata')
    metadata(@Res() response: unknown): void {
      send(this.adapterHost, response, this.endpoint.metadata());
    }
  }
  return AuthorizationServerMetadataController;
}

function authorizationController(path: string): Type {
  @Controller()
  class AuthorizationController implements OnApplicationBootstrap {
    constructor(
      readonly endpoint: AuthorizationEndpoint,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    onApplicationBootstrap(): void {
      this.endpoint.assertUsable();
    }

    @Public()
    @Get(path)
    @documentedAs('authorize')
    async authorize(@Req() request: FormRequest, @Res() response: unknown): Promise<void> {
      send(this.adapterHost, response, await this.endpoint.authorize(request, response));
    }

    @Public()
    @Post(path)
    @documentedAs('authorize-form')
    async submit(@Req() request: FormRequest, @Res() response: unknown): Promise<void> {
      send(this.adapterHost, response, await this.endpoint.submit(request, response));
    }
  }
  return AuthorizationController;
}
