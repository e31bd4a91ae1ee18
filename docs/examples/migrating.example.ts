// Type-checked examples for docs/migrating-from-passport.md.
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import {
  Auth,
  AuthError,
  AuthModule,
  type AuthRequest,
  AuthStrategy,
  CurrentUser,
  type Principal,
  Public,
  readHeader,
} from '../../lib/index.js';

// --- example: module
@Module({
  imports: [
    AuthModule.forRoot({
      // passport-jwt's { secretOrKey, issuer, audience } — plus the algorithm allowlist it lacked.
      jwt: {
        algorithms: ['HS256'],
        secret: process.env.JWT_SECRET ?? 'replace-me-with-32-random-bytes-or-more!',
        issuer: 'https://auth.example.com',
        audience: 'api',
        typ: false, // tokens minted by your old login code carry typ "JWT", not RFC 9068's "at+jwt"
        claims: { roles: 'roles', scopes: 'scope' }, // what validate(payload) used to copy onto req.user
      },
    }),
  ],
})
export class MigratedAuthModule {}
// --- end

// --- example: controller
@Controller('profile')
export class ProfileController {
  // Before: @UseGuards(AuthGuard('jwt')) and @Req() req → req.user
  @Get()
  profile(@CurrentUser() user: Principal) {
    return { id: user.id, roles: user.roles };
  }

  // Before: no guard on the route. Now every route is protected unless it says otherwise.
  @Public()
  @Get('ping')
  ping() {
    return 'pong';
  }
}
// --- end

// --- example: custom-strategy
/** Before: class HeaderStrategy extends PassportStrategy(Strategy, 'partner') { validate(...) } */
@Injectable()
export class PartnerStrategy extends AuthStrategy {
  readonly name = 'partner';

  authenticate(request: AuthRequest): Principal | null {
    const partner = readHeader(request, 'x-partner-id');
    if (partner === undefined) return null; // not my credentials: the guard tries the next strategy
    if (!/^[a-z0-9-]{3,40}$/.test(partner)) throw new AuthError('invalid_credentials', { strategy: this.name });
    return { id: partner, roles: ['partner'], scopes: [], permissions: [], strategy: this.name };
  }
}

@Controller('partner')
export class PartnerController {
  @Auth('partner')
  @Get()
  hello(@CurrentUser('id') partnerId: string) {
    return { partnerId };
  }
}
// --- end
