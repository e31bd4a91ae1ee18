/** What the sign-in page of `GET /auth/authorize` shows and must send back. */
export interface AuthorizationLoginView {
  /** Where the form posts (`POST` to the authorization endpoint's path). */
  readonly action: string;
  /**
   * Hidden fields the form must send back unchanged: the authorization request's parameters and
   * the login CSRF token. Besides them the form sends `username`, `password` and, when
   * `askCode`, `otp` (a TOTP or recovery code).
   */
  readonly hiddenFields: Readonly<Record<string, string>>;
  /** The client asking for access, and the scopes it asks for. */
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** A message for the user after a failed attempt (never a secret). */
  readonly error?: string;
  /** Whether to offer the second-factor field (`otp`): a second factor is configured. */
  readonly askCode: boolean;
  /** The username typed last time, to fill in again. */
  readonly username?: string;
}

/** What the consent page of a client with `consent: true` shows and must send back. */
export interface AuthorizationConsentView {
  readonly action: string;
  /** Hidden fields to send back unchanged, with `consent=approve` (or `consent=deny`). */
  readonly hiddenFields: Readonly<Record<string, string>>;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly username?: string;
}

/** An authorization request that cannot be answered by a redirect (unknown client, unregistered redirect URI). */
export interface AuthorizationErrorView {
  readonly error: string;
  readonly description: string;
}

/**
 * The HTML pages of `GET /auth/authorize`: sign-in, consent, and errors that must not redirect.
 * The module renders minimal defaults; provide your own in one of your modules to replace them:
 * `providers: [{ provide: AuthorizationLoginPage, useClass: MyLoginPage }]`. Escape everything you
 * interpolate ({@link escapeHtml}).
 */
export abstract class AuthorizationLoginPage {
  abstract renderLogin(view: AuthorizationLoginView): string;

  renderConsent(view: AuthorizationConsentView): string {
    return page(
      'Allow access',
      `<h1>Allow ${escapeHtml(view.clientId)}?</h1>
<p>${escapeHtml(view.username ?? 'You')} — the application asks for: ${scopeList(view.scopes)}</p>
<form method="post" action="${escapeHtml(view.action)}">${hidden(view.hiddenFields)}
<button type="submit" name="consent" value="approve">Allow</button>
<button type="submit" name="consent" value="deny">Deny</button>
</form>`,
    );
  }

  renderError(view: AuthorizationErrorView): string {
    return page('Sign-in error', `<h1>This sign-in request cannot be completed</h1>\n<p>${escapeHtml(view.description)}</p>\n<p><code>${escapeHtml(view.error)}</code></p>`);
  }
}

/** The module's minimal sign-in page: a plain form, no script, no external resource. */
export class DefaultAuthorizationLoginPage extends AuthorizationLoginPage {
  renderLogin(view: AuthorizationLoginView): string {
    const error = view.error ? `<p role="alert" class="error">${escapeHtml(view.error)}</p>` : '';
    const code = view.askCode
      ? `<label>Authentication code (if enabled) <input name="otp" autocomplete="one-time-code" inputmode="numeric"></label>`
      : '';
    return page(
      'Sign in',
      `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(view.clientId)}</strong>${view.scopes.length ? ` (${scopeList(view.scopes)})` : ''}</p>
${error}
<form method="post" action="${escapeHtml(view.action)}">${hidden(view.hiddenFields)}
<label>Username <input name="username" autocomplete="username" required value="${escapeHtml(view.username ?? '')}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
${code}
<button type="submit">Sign in</button>
</form>`,
    );
  }
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function hidden(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([name, value]) => `\n<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
}

function scopeList(scopes: readonly string[]): string {
  return scopes.map((scope) => `<code>${escapeHtml(scope)}</code>`).join(', ');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;box-sizing:border-box}button{padding:.5rem 1rem;margin-right:.5rem}.error{color:#b00020}</style>
</head><body>
${body}
</body></html>`;
}
