/** Escapes a value for an RFC 9110 quoted-string. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`;
}

/** Formats one `WWW-Authenticate` challenge: `Bearer realm="api", error="invalid_token"`. */
export function formatChallenge(scheme: string, params: readonly (readonly [string, string | undefined])[]): string {
  const parts: string[] = [];
  for (const [key, value] of params) if (value !== undefined) parts.push(`${key}=${quote(value)}`);
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}
