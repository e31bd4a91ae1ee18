import { Inject, Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { TokenSettings } from '../token-settings.js';
import { TokenGrant } from './token-grant.js';

/**
 * DI token of the grant list: the built-in grants, then the app's own (`forRoot({ grants })`).
 * Each is resolved by class, so an app grant can inject the app's services.
 */
export const TOKEN_GRANTS = Symbol('nest-warden:token-grants');

/** RFC 6749 §A.10: `grant-name = 1*name-char` or an absolute URI. */
const GRANT_NAME = /^(?:[A-Za-z0-9._-]+|[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+)$/;

/**
 * The token endpoint's grants by `grant_type`. Everything that depends on which grants exist is
 * derived from here: the endpoint's dispatch, the clients' `grantTypes` check at boot, and the
 * `grant_type` enum of the OpenAPI document.
 */
@Injectable()
export class TokenGrants implements OnModuleInit {
  private readonly byType = new Map<string, TokenGrant>();
  private loaded = false;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly settings: TokenSettings,
    @Inject(TOKEN_GRANTS) private readonly contributions: readonly Type<TokenGrant>[],
  ) {}

  onModuleInit(): void {
    if (this.loaded) return;
    this.loaded = true;
    const disabled = new Set<string>();
    for (const token of this.contributions) {
      const grant = this.resolve(token);
      if (typeof grant?.isEnabled === 'function' && !grant.isEnabled()) disabled.add(grant.grantType);
      else this.add(grant, token);
    }
    for (const client of this.settings.clients.values()) {
      for (const grant of client.grantTypes ?? []) {
        if (this.byType.has(grant)) continue;
        if (grant === 'password' && disabled.has(grant)) {
          throw AuthConfigurationError.create(
            `tokens.clients "${client.id}" lists the password grant, which is off (RFC 9700 §2.4: it MUST NOT be used).`,
            'Move the client to authorization_code with PKCE, or set tokens.passwordGrant: true while it migrates.',
          );
        }
        throw AuthConfigurationError.create(
          `tokens.clients "${client.id}" lists the grant type ${JSON.stringify(grant)}, which the token endpoint does not have.`,
          `Grant types: ${this.types().join(', ')}. Register a grant of your own with AuthModule.forRoot({ grants: [YourGrant] }).`,
        );
      }
    }
  }

  get(grantType: string): TokenGrant | undefined {
    return this.byType.get(grantType);
  }

  /** Every `grant_type` the endpoint accepts, in registration order. */
  types(): string[] {
    this.onModuleInit(); // the OpenAPI document may be built before init()
    return [...this.byType.keys()];
  }

  all(): TokenGrant[] {
    this.onModuleInit();
    return [...this.byType.values()];
  }

  private resolve(token: Type<TokenGrant>): TokenGrant {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch (cause) {
      throw new AuthConfigurationError(
        `nest-warden: the grant ${token.name} listed in AuthModule.forRoot({ grants }) is not a provider. ` +
          `Add ${token.name} to the providers of one of your modules.`,
        { cause },
      );
    }
  }

  private add(grant: TokenGrant, token: Type<TokenGrant>): void {
    const type = grant?.grantType;
    if (typeof type !== 'string' || !GRANT_NAME.test(type)) {
      throw AuthConfigurationError.create(
        `the grant ${token.name} has the grantType ${JSON.stringify(type)}.`,
        'Use a name of letters, digits, ".", "_" and "-", or an absolute URI (RFC 6749 §4.5).',
      );
    }
    if (typeof grant.handle !== 'function') {
      throw AuthConfigurationError.create(`the grant ${token.name} has no handle() method.`, 'Extend TokenGrant from nest-warden.');
    }
    if (this.byType.has(type)) {
      throw AuthConfigurationError.create(`two grants handle grant_type=${type}.`, 'Register one grant per grant type.');
    }
    this.byType.set(type, grant);
  }
}
