// The browser side of docs/passkeys.md: plain `navigator.credentials`, no library. Type-checked by
// `tsc` (DOM types) and run in Chromium with a virtual authenticator by passkeys.example.spec.ts.

// --- example: browser
/** POST JSON to the server; the session's CSRF token on every call made with the cookie. */
async function postJson<T>(path: string, body: unknown, csrfToken?: string): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
  const data = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${data.message}`);
  return data as T;
}

/** Signed in (password or passkey): create a passkey and store it on the server. */
export async function registerPasskey(csrfToken: string, name: string): Promise<{ id: string; name: string }> {
  const options = await postJson<PublicKeyCredentialCreationOptionsJSON>('/auth/passkeys/registration/options', {}, csrfToken);
  const credential = (await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
  })) as PublicKeyCredential;
  return postJson('/auth/passkeys/registration', { response: credential.toJSON(), name }, csrfToken);
}

/**
 * Signed out: sign in with a passkey. Without a username the browser offers every passkey it holds
 * for this site (discoverable credentials); with one, only that account's.
 */
export async function signInWithPasskey(username?: string): Promise<{ csrfToken: string; amr: string[] }> {
  const options = await postJson<PublicKeyCredentialRequestOptionsJSON>('/auth/passkeys/authentication/options', username ? { username } : {});
  const credential = (await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
  })) as PublicKeyCredential;
  return postJson('/auth/passkeys/authentication', { response: credential.toJSON() }); // sets the session cookie
}

/** Signed in with a password: prove the second factor with a passkey (a new cookie and CSRF token). */
export async function stepUpWithPasskey(csrfToken: string): Promise<{ csrfToken: string; amr: string[] }> {
  const options = await postJson<PublicKeyCredentialRequestOptionsJSON>('/auth/passkeys/step-up/options', {}, csrfToken);
  const credential = (await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
  })) as PublicKeyCredential;
  return postJson('/auth/passkeys/step-up', { response: credential.toJSON() }, csrfToken);
}
// --- end
