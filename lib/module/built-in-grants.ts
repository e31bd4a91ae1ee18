import type { Type } from '@nestjs/common';
import { AuthorizationCodeGrant } from '../tokens/grants/authorization-code.grant.js';
import { ClientCredentialsGrant } from '../tokens/grants/client-credentials.grant.js';
import { PasswordGrant } from '../tokens/grants/password.grant.js';
import { RefreshTokenGrant } from '../tokens/grants/refresh-token.grant.js';
import type { TokenGrant } from '../tokens/grants/token-grant.js';

/** Grants of the token endpoint that ship with nest-warden. */
export const BUILT_IN_GRANTS: readonly Type<TokenGrant>[] = [PasswordGrant, RefreshTokenGrant, AuthorizationCodeGrant, ClientCredentialsGrant];
