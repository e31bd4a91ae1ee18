/** Canonical base64 (RFC 4648 §4): standard alphabet, padding required, nothing else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** C0 controls, DEL and C1 controls: RFC 7617 §2 forbids control characters in user-id and password. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type BasicCredentialsProblem =
  | 'empty'
  | 'too_long'
  | 'not_base64'
  | 'not_utf8'
  | 'no_colon'
  | 'empty_username'
  | 'empty_password'
  | 'control_character';

export type DecodedBasicCredentials =
  | { readonly ok: true; readonly username: string; readonly password: string }
  | { readonly ok: false; readonly problem: BasicCredentialsProblem };

/**
 * Decodes the `token68` of `Authorization: Basic <token68>` (RFC 7617 §2) as a user-id and a
 * password: strict base64, strict UTF-8 (the `charset="UTF-8"` we announce), the first colon
 * splits. Never throws; the problem is for tests and logs, never for the client.
 */
export function decodeBasicCredentials(token68: string, maxLength: number): DecodedBasicCredentials {
  if (token68.length === 0) return { ok: false, problem: 'empty' };
  if (token68.length > maxLength) return { ok: false, problem: 'too_long' };
  if (!BASE64.test(token68)) return { ok: false, problem: 'not_base64' };
  const bytes = Buffer.from(token68, 'base64');
  // Non-zero bits in the padding (e.g. "YQ==" vs "YR==") decode alike; accept only the canonical form.
  if (bytes.toString('base64') !== token68) return { ok: false, problem: 'not_base64' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'not_utf8' };
  }
  const colon = text.indexOf(':');
  if (colon === -1) return { ok: false, problem: 'no_colon' };
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (!username) return { ok: false, problem: 'empty_username' };
  if (!password) return { ok: false, problem: 'empty_password' };
  if (CONTROL.test(text)) return { ok: false, problem: 'control_character' };
  return { ok: true, username, password };
}
