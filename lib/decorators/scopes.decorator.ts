import { SetMetadata } from '@nestjs/common';
import { SCOPES_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The caller's token needs all of these OAuth2 scopes; otherwise 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (RFC 6750 §3.1).
 */
export function Scopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  for (const scope of assertNames('Scopes', scopes)) {
    if (!SCOPE_TOKEN.test(scope)) {
      throw new TypeError(`@Scopes(): ${JSON.stringify(scope)} is not a valid OAuth2 scope token (RFC 6749 §3.3).`);
    }
  }
  return SetMetadata(SCOPES_METADATA, Object.freeze([...scopes]));
}
