import { SetMetadata } from '@nestjs/common';
import { ACCESS_METADATA, type AccessMetadata } from '../policy/policy-metadata.js';

/** The route needs no credentials; nest-warden checks nothing. On a method it beats class-level `@Auth()`. */
export const Public = (): ClassDecorator & MethodDecorator =>
  SetMetadata<symbol, AccessMetadata>(ACCESS_METADATA, 'public');
