import type { TokenEndpointPaths } from '../tokens.options.js';

/**
 * Where the token endpoints are mounted (`forRoot({ tokenEndpoints })`), resolved once when the
 * module is declared: the metadata document lists them, and `private_key_jwt` assertions may name
 * the token endpoint's URL as their audience.
 */
export class MountedTokenPaths {
  constructor(readonly paths: Readonly<Record<keyof TokenEndpointPaths, string | false>> | undefined) {
    Object.freeze(this);
  }

  /** A mounted path, or `undefined`. */
  path(name: keyof TokenEndpointPaths): string | undefined {
    const path = this.paths?.[name];
    return typeof path === 'string' ? path : undefined;
  }

  /** The absolute URL of a mounted endpoint under the issuer, or `undefined`. */
  url(issuer: string, name: keyof TokenEndpointPaths): string | undefined {
    const path = this.path(name);
    return path === undefined ? undefined : `${issuer.replace(/\/+$/, '')}${path}`;
  }
}
