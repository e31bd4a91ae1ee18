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

/**
 * Adds RFC 9728 §5.1 `resource_metadata` to every `Bearer` and `DPoP` challenge, so a client finds
 * the protected resource metadata (and from it the authorization server) from a bare 401.
 */
export function withResourceMetadata(challenges: readonly string[], url: string | undefined): readonly string[] {
  if (url === undefined) return challenges;
  return challenges.map((challenge) => {
    const scheme = /^(bearer|dpop)(?: |$)/i.exec(challenge);
    if (!scheme || challenge.includes(' resource_metadata=')) return challenge;
    const param = formatChallenge('', [['resource_metadata', url]]).trim();
    return challenge.length === scheme[1].length ? `${challenge} ${param}` : `${challenge}, ${param}`;
  });
}
