import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 parameters every authenticator app understands: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
const CODE = /^\d{6}$/;

/** A new shared secret: 160 random bits (RFC 4226 §4 recommends 160), base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/...` URI an authenticator app scans as a QR code. */
export function totpUri(issuer: string, label: string, secret: string): string {
  return generateURI({ issuer, label, secret, digits: DIGITS, period: TOTP_PERIOD_SECONDS });
}

/**
 * The time step a code belongs to when it is valid at `epochSeconds` within ±`window` steps,
 * else `null`. otplib compares in constant time; malformed input never reaches it.
 */
export async function matchTotp(secret: string, code: string, epochSeconds: number, window: number): Promise<number | null> {
  if (!CODE.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: epochSeconds,
    epochTolerance: window * TOTP_PERIOD_SECONDS,
    period: TOTP_PERIOD_SECONDS,
    digits: DIGITS,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
