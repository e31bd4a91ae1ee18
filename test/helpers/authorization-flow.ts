import { createServer } from 'node:net';
import * as oauth from 'oauth4webapi';

/** A free loopback port, so an app can be built with an issuer that names the URL it listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A browser's cookie jar, as far as these flows need one (name → value, one origin). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The hidden fields of the sign-in (or consent) form. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[decode(match[1])] = decode(match[2]);
  return fields;
}

function decode(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

export interface BrowserStep {
  readonly response: Response;
  readonly body: string;
}

/** What a browser does: GET/POST without following redirects, cookies kept. */
export class TestBrowser {
  readonly jar = new CookieJar();

  constructor(private readonly base: string) {}

  async get(url: string): Promise<BrowserStep> {
    const response = await fetch(new URL(url, this.base), { redirect: 'manual', headers: { cookie: this.jar.header() } });
    this.jar.take(response);
    return { response, body: await response.text() };
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<BrowserStep> {
    const response = await fetch(new URL(url, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.jar.header(), ...headers },
      body: new URLSearchParams(form).toString(),
    });
    this.jar.take(response);
    return { response, body: await response.text() };
  }
}

export interface PkceRequest {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
}

/** An authorization request URL with PKCE S256, as a client builds it. */
export async function authorizationRequest(
  as: oauth.AuthorizationServer,
  clientId: string,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<PkceRequest> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return { url, verifier, state };
}

/**
 * The user's part: open the authorization URL, sign in through the login page's form (when there
 * is no session yet), follow the redirects back to the client. Returns the client's callback URL.
 */
export async function signInAndAuthorize(
  browser: TestBrowser,
  url: URL,
  credentials: { username: string; password: string; otp?: string },
): Promise<URL> {
  let step = await browser.get(url.toString());
  if (step.response.status === 200 && step.body.includes('name="password"')) {
    step = await browser.post(url.pathname, { ...hiddenFields(step.body), ...credentials });
    if (step.response.status !== 303) throw new Error(`sign-in answered ${step.response.status}: ${step.body.slice(0, 300)}`);
    step = await browser.get(step.response.headers.get('location')!);
  }
  if (step.response.status !== 303) throw new Error(`authorization answered ${step.response.status}: ${step.body.slice(0, 300)}`);
  return new URL(step.response.headers.get('location')!);
}
