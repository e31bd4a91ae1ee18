import type { Type } from '@nestjs/common';
import { PasswordGrant } from '../tokens/grants/password.grant.js';
import { RefreshTokenGrant } from '../tokens/grants/refresh-token.grant.js';
import type { TokenGrant } from '../tokens/grants/token-grant.js';

/** Grants of the token endpoint that ship with nest-warden. */
export const BUILT_IN_GRANTS: readonly Type<TokenGrant>[] = [PasswordGrant, RefreshTokenGrant];
