/** A message nest-warden asks the app to send. */
export interface AccountMail {
  readonly kind: 'password-reset' | 'email-verification';
  readonly to: string;
  readonly userId: string;
  /**
   * The single-use secret. Put it in a link to your own page (preferably in the fragment,
   * `https://app.example/reset#token=...`, which browsers never send to servers or in `Referer`),
   * and have that page POST it to the confirm endpoint. Never log it.
   */
  readonly token: string;
  /** When the token stops working (ms since epoch). */
  readonly expiresAt: number;
}

/**
 * Delivers account emails: provide it in your module, `{ provide: AccountMailer, useClass: MyMailer }`.
 * nest-warden calls it after answering the request, so its latency never shows in response times.
 */
export abstract class AccountMailer {
  abstract send(mail: AccountMail): Promise<void>;
}
