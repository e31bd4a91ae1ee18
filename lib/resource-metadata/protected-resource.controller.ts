import { Controller, Get, Header, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { Public } from '../decorators/public.decorator.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { PROTECTED_RESOURCE_PATH, ProtectedResourceSettings } from '../settings/protected-resource-settings.js';
import { ProtectedResourceMetadata, type ProtectedResourceMetadataDocument } from './protected-resource-metadata.js';

/**
 * The controller for `forRoot({ resourceMetadataEndpoint })`: `GET /.well-known/oauth-protected-resource`
 * (or the path given, for a resource with a path), public, the RFC 9728 document as JSON.
 */
export function protectedResourceControllers(given: boolean | string | undefined): Type[] {
  if (given === undefined || given === false) return [];
  const path = given === true ? PROTECTED_RESOURCE_PATH : given;
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw AuthConfigurationError.create(
      `resourceMetadataEndpoint is ${JSON.stringify(given)}.`,
      `Use true (${PROTECTED_RESOURCE_PATH}) or a path starting with "/".`,
    );
  }

  @Controller()
  class ProtectedResourceMetadataController implements OnApplicationBootstrap {
    constructor(
      readonly metadata: ProtectedResourceMetadata,
      readonly settings: ProtectedResourceSettings,
    ) {}

    onApplicationBootstrap(): void {
      const expected = this.settings.require().metadataPath;
      if (expected !== path) {
        throw AuthConfigurationError.create(
          `the protected resource metadata is served at ${path}, but resource_metadata names ${this.settings.require().metadataUrl}.`,
          `Mount it at ${expected} (resourceMetadataEndpoint: "${expected}"), or set protectedResource.metadataUrl to where it is served.`,
        );
      }
    }

    @Public()
    @Get(path)
    @Header('Cache-Control', 'public, max-age=300')
    describe(): ProtectedResourceMetadataDocument {
      return this.metadata.describe();
    }
  }
  return [ProtectedResourceMetadataController];
}
