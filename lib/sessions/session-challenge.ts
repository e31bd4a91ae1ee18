import { formatChallenge } from '../errors/challenge.js';

/**
 * The challenge a 401 carries for cookie sessions. Cookies are no HTTP authentication scheme, yet
 * RFC 9110 §15.5.2 requires a challenge on every 401: we use the `Cookie` scheme of
 * draft-broyer-http-cookie-auth, naming the cookie the client needs.
 */
export function sessionChallenge(realm: string, cookieName: string): string {
  return formatChallenge('Cookie', [
    ['realm', realm],
    ['cookie-name', cookieName],
  ]);
}
