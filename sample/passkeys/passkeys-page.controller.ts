import { Controller, Get, Header } from '@nestjs/common';
import { Auth, CurrentUser, type Principal, Public } from '../../lib/index.js';
import { PASSKEYS_PAGE, PASSKEYS_SCRIPT } from './passkeys-page.js';

/**
 * `GET /passkeys`: a page that signs in with a password, registers a passkey and signs in with it
 * (the browser's `navigator.credentials` API); `GET /account/security` needs a second factor.
 */
@Controller()
export class PasskeysPageController {
  @Public()
  @Get('passkeys')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page() {
    return PASSKEYS_PAGE;
  }

  /** A file of its own: the sample's Content-Security-Policy (helmet's) allows same-origin scripts only. */
  @Public()
  @Get('passkeys/passkeys.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script() {
    return PASSKEYS_SCRIPT;
  }

  /** Needs a second factor: a passkey sign-in with user verification, or a password session stepped up. */
  @Auth({ mfa: true })
  @Get('account/security')
  security(@CurrentUser() user: Principal) {
    return { id: user.id, username: user.username, amr: user.amr ?? [] };
  }
}
