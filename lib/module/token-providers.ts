import type { Provider } from '@nestjs/common';
import { AuthEvents } from '../events/auth-events.js';
import { LocalTokenIssuer } from '../strategies/jwt/local-token-issuer.js';
import { ClientAssertions } from '../tokens/endpoint/client-assertions.js';
import { TokenClients } from '../tokens/endpoint/token-clients.js';
import { TokenEndpoint } from '../tokens/endpoint/token-endpoint.js';
import { AuthorizationEndpoint } from '../tokens/endpoint/authorization-endpoint.js';
import { AuthorizationCodes } from '../tokens/issuance/authorization-codes.js';
import { TokenGrants } from '../tokens/grants/token-grants.js';
import { AccessTokenDenyList } from '../tokens/issuance/access-token-deny-list.js';
import { AccessTokens } from '../tokens/issuance/access-tokens.js';
import { OwnTokenVerification } from '../tokens/issuance/own-token-verification.js';
import { RefreshTokens } from '../tokens/issuance/refresh-tokens.js';
import { RevocationMirror } from '../tokens/issuance/revocation-mirror.js';
import { TokenService } from '../tokens/issuance/token.service.js';
import { PublishedKeys } from '../tokens/keys/published-keys.js';
import { SigningKeys } from '../tokens/keys/signing-keys.js';
import { BUILT_IN_GRANTS } from './built-in-grants.js';

/** Providers of the token service and security events; always registered, idle without `tokens`. */
export const TOKEN_PROVIDERS: readonly Provider[] = [
  AuthEvents,
  PublishedKeys,
  SigningKeys,
  AccessTokens,
  RevocationMirror,
  AccessTokenDenyList,
  RefreshTokens,
  AuthorizationCodes,
  ClientAssertions,
  TokenClients,
  TokenService,
  ...BUILT_IN_GRANTS,
  TokenGrants,
  TokenEndpoint,
  AuthorizationEndpoint,
  OwnTokenVerification,
  { provide: LocalTokenIssuer, useExisting: OwnTokenVerification },
];

/** What AuthModule exports of them. */
export const TOKEN_EXPORTS = [AuthEvents, TokenService, SigningKeys, AccessTokenDenyList] as const;
