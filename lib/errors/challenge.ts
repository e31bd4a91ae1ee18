/**
 * Writes a quoted-string value. RFC 6750 §3 allows neither `"` nor `\` in `error`,
 * `error_description` or `scope`, so both are dropped (as is anything outside printable ASCII).
 */
function quote(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/** Formats one `WWW-Authenticate` challenge: `Bearer realm="api", error="invalid_token"`. */
export function formatChallenge(scheme: string, params: readonly (readonly [string, string | undefined])[]): string {
  const parts: string[] = [];
  for (const [key, value] of params) if (value !== undefined) parts.push(`${key}=${quote(value)}`);
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}
