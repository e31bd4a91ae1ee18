import type { Provider } from '@nestjs/common';
import { AuthEvents } from '../events/auth-events.js';
import { LocalTokenIssuer } from '../strategies/jwt/local-token-issuer.js';
import { AccessTokenDenyList } from './access-token-deny-list.js';
import { AccessTokens } from './access-tokens.js';
import { OwnTokenVerification } from './own-token-verification.js';
import { PasswordGrant } from './password.grant.js';
import { PublishedKeys } from './published-keys.js';
import { RefreshTokenGrant } from './refresh-token.grant.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SigningKeys } from './signing-keys.js';
import { TokenClients } from './token-clients.js';
import { TokenEndpoint } from './token-endpoint.js';
import { TOKEN_ENDPOINT } from './token-endpoint.token.js';
import { TokenSettings } from './token-settings.js';
import { TokenService } from './token.service.js';

/** Providers of the token service and security events; always registered, idle without `tokens`. */
export const TOKEN_PROVIDERS: readonly Provider[] = [
  AuthEvents,
  TokenSettings,
  PublishedKeys,
  SigningKeys,
  AccessTokens,
  AccessTokenDenyList,
  RefreshTokens,
  TokenClients,
  TokenService,
  PasswordGrant,
  RefreshTokenGrant,
  TokenEndpoint,
  { provide: TOKEN_ENDPOINT, useExisting: TokenEndpoint },
  OwnTokenVerification,
  { provide: LocalTokenIssuer, useExisting: OwnTokenVerification },
];

/** What AuthModule exports of them. */
export const TOKEN_EXPORTS = [AuthEvents, TokenService, SigningKeys, AccessTokenDenyList] as const;
