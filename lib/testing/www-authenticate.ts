/** One parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  /** As sent; compare case-insensitively (RFC 9110 §11.1). */
  readonly scheme: string;
  /** auth-params with lower-cased names; quoted-string values unescaped. */
  readonly params: Readonly<Record<string, string>>;
  /** token68 form (e.g. `Negotiate abc==`), when present. */
  readonly token68?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses one or more `WWW-Authenticate` header values into challenges (RFC 9110 §11.6.1),
 * including several challenges in one field value: `Bearer realm="a", Basic realm="b"`.
 */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const challenges: Challenge[] = [];
  for (const value of values) challenges.push(...parseValue(value));
  return challenges;
}

function parseValue(input: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string>; token68?: string }[] = [];
  let rest = input;
  const skip = (pattern: RegExp) => {
    const match = pattern.exec(rest);
    if (match) rest = rest.slice(match[0].length);
    return match;
  };
  while (rest.length) {
    skip(/^[\s,]+/);
    const scheme = skip(TOKEN);
    if (!scheme) {
      if (rest.length) throw new SyntaxError(`Malformed WWW-Authenticate near: ${rest.slice(0, 20)}`);
      break;
    }
    const challenge: { scheme: string; params: Record<string, string>; token68?: string } = { scheme: scheme[0], params: {} };
    challenges.push(challenge);
    skip(/^ +/);
    const token68 = /^([A-Za-z0-9\-._~+/]+=*)\s*(,|$)/.exec(rest);
    if (token68 && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=[^=]/.test(rest)) {
      challenge.token68 = token68[1];
      rest = rest.slice(token68[0].length);
      continue;
    }
    for (;;) {
      const param = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*/.exec(rest);
      if (!param) break;
      rest = rest.slice(param[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
        if (!quoted) throw new SyntaxError('Unterminated quoted-string in WWW-Authenticate');
        value = quoted[1].replace(/\\(.)/g, '$1');
        rest = rest.slice(quoted[0].length);
      } else {
        const token = skip(TOKEN);
        if (!token) throw new SyntaxError('Missing auth-param value in WWW-Authenticate');
        value = token[0];
      }
      challenge.params[param[1].toLowerCase()] = value;
      const comma = /^\s*,\s*/.exec(rest);
      if (!comma) break;
      // A comma either separates params or starts the next challenge (a token not followed by "=").
      const after = rest.slice(comma[0].length);
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=/.test(after)) break;
      rest = after;
    }
  }
  return challenges;
}
