// Examples from docs/dpop.md, docs/introspection.md and docs/protected-resource-metadata.md.
// Type-checked by `tsc`; resource-server.example.spec.ts boots them on Express and Fastify.
import { BadRequestException, Controller, Get, Injectable, Module, Post, Req } from '@nestjs/common';
import { Auth, AuthError, AuthModule, type AuthRequest, CurrentUser, DpopProofVerifier, type Principal, readHeader, Scopes } from '../../lib/index.js';

// --- example: dpop-module
@Module({
  imports: [
    AuthModule.forRoot({
      jwt: {
        algorithms: ['ES256'],
        jwksUri: 'https://sso.example.com/jwks',
        issuer: 'https://sso.example.com',
        audience: 'https://api.example.com',
      },
      // Every bearer strategy now also takes `Authorization: DPoP <token>` with a `DPoP` proof.
      dpop: {
        mode: 'allowed', // or 'required': DPoP-bound tokens only
        algorithms: ['ES256', 'EdDSA'],
        nonce: { secret: process.env.DPOP_NONCE_SECRET }, // shared by every instance
        origin: 'https://api.example.com', // what proofs name in htu, behind your proxy
      },
    }),
  ],
})
export class DpopAppModule {}
// --- end

// --- example: dpop-routes
@Controller('payments')
export class PaymentsController {
  /** The strategy's mode (here 'allowed'): Bearer, or DPoP with a proof. */
  @Get()
  list(@CurrentUser() user: Principal) {
    return { id: user.id, boundTo: user.confirmation?.jkt ?? null };
  }

  /** Only DPoP-bound tokens, whatever the strategy's mode. */
  @Auth({ dpop: 'required' })
  @Post()
  pay(@CurrentUser() user: Principal) {
    return { paidBy: user.id };
  }
}
// --- end

// --- example: dpop-token-endpoint
/**
 * A token endpoint of your own binding the tokens it issues to the client's key (RFC 9449 §5):
 * verify the proof, then write `cnf: { jkt }` into the access token.
 */
@Injectable()
export class DpopTokenBinding {
  constructor(private readonly proofs: DpopProofVerifier) {}

  /**
   * `{ jkt }` when the request carries a valid proof, `undefined` without one. A bad proof rejects with
   * `AuthError` whose `dpop.error` is `invalid_dpop_proof` or `use_dpop_nonce` (then `dpop.nonce` is
   * the `DPoP-Nonce` to send): a token endpoint answers those 400 with that error (RFC 9449 §5, §8).
   */
  async confirmationFor(request: AuthRequest): Promise<{ jkt: string } | undefined> {
    const proof = readHeader(request, 'dpop');
    if (proof === undefined) return undefined;
    const { jkt } = await this.proofs.verify({ proof, method: 'POST', url: this.proofs.requestUrl(request) });
    return { jkt };
  }
}
// --- end

@Controller('token')
export class TokenBindingController {
  constructor(private readonly binding: DpopTokenBinding) {}

  @Auth({ strategies: ['jwt'] })
  @Post()
  async bind(@Req() request: AuthRequest) {
    try {
      return { cnf: (await this.binding.confirmationFor(request)) ?? null };
    } catch (error) {
      // RFC 9449 §5: the token endpoint answers 400 with the proof's error.
      if (error instanceof AuthError && error.dpop) throw new BadRequestException({ error: error.dpop.error, error_description: error.description });
      throw error;
    }
  }
}

// --- example: introspection-module
@Module({
  imports: [
    AuthModule.forRoot({
      introspection: {
        issuer: 'https://sso.example.com', // introspection_endpoint from its discovery document
        clientId: 'orders-api',
        clientSecret: process.env.INTROSPECTION_SECRET!,
        audience: 'https://api.example.com',
        cache: { maxAgeSeconds: 30, maxEntries: 10_000 }, // never past the token's exp
        jwtResponse: true, // RFC 9701 signed responses, when the server offers them
      },
    }),
  ],
})
export class IntrospectionAppModule {}
// --- end

// --- example: protected-resource-module
@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['ES256'], jwksUri: 'https://sso.example.com/jwks', issuer: 'https://sso.example.com', audience: 'https://api.example.com' },
      dpop: {},
      protectedResource: {
        resource: 'https://api.example.com',
        authorizationServers: ['https://sso.example.com'],
        resourceName: 'Orders API',
        resourceDocumentation: 'https://api.example.com/docs',
        // scopesSupported: default, every @Scopes() of the app
      },
      // GET /.well-known/oauth-protected-resource
      resourceMetadataEndpoint: true,
    }),
  ],
})
export class ProtectedResourceAppModule {}
// --- end

// --- example: step-up
@Controller('account')
export class AccountController {
  @Scopes('account:read')
  @Get()
  show(@CurrentUser() user: Principal) {
    return { id: user.id };
  }

  /** A strong sign-in (acr) within the last five minutes (auth_time), else 401 insufficient_user_authentication. */
  @Auth({ acr: ['urn:example:acr:mfa'], maxAge: 300 })
  @Post('close')
  close(@CurrentUser() user: Principal) {
    return { closed: user.id };
  }
}
// --- end
