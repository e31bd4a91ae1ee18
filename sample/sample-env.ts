/**
 * The sample's settings from the environment (README, "The sample app"), read at boot. A value
 * that cannot work stops the boot with a message that says what to set instead.
 */

/** `PORT`: where this instance listens (default 3000). */
export function listenPort(env: NodeJS.ProcessEnv): number {
  return positiveInteger(env, 'PORT', 3000, 'e.g. PORT=3000');
}

/**
 * `PUBLIC_URL`: the base URL clients reach the service at (behind a balancer, the balancer's, the
 * same for every instance), else `http://localhost:PORT`. It is the tokens' issuer (`iss`) and the
 * base of every metadata URL, so instances that share it accept each other's tokens.
 */
export function publicUrl(env: NodeJS.ProcessEnv): string {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) return `http://localhost:${listenPort(env)}`;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || /[?#]/.test(raw) || url.username || url.password) {
    throw new Error(
      `sample: PUBLIC_URL ${JSON.stringify(raw)} is not a base URL. Set the http(s) URL clients use, without query, ` +
        'fragment or credentials, e.g. PUBLIC_URL=https://api.example.com (behind a balancer: the balancer\'s URL).',
    );
  }
  return url.href.replace(/\/+$/, '');
}

/** The per-principal limit on `GET /items`: `ITEMS_RATE_LIMIT` requests (default 100) per `ITEMS_RATE_WINDOW_SECONDS` (default 60). */
export interface ItemsRateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export function itemsRateLimit(env: NodeJS.ProcessEnv): ItemsRateLimit {
  return {
    limit: positiveInteger(env, 'ITEMS_RATE_LIMIT', 100, 'e.g. ITEMS_RATE_LIMIT=100'),
    windowMs: positiveInteger(env, 'ITEMS_RATE_WINDOW_SECONDS', 60, 'e.g. ITEMS_RATE_WINDOW_SECONDS=60') * 1000,
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, example: string): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`sample: ${name} must be a positive whole number, got ${JSON.stringify(raw)}. Set ${example}, or leave it unset for ${fallback}.`);
  }
  return value;
}
