/**
 * The sample's passkey page: plain HTML and a same-origin script (no build step, no framework).
 * It uses the browser's own `navigator.credentials` API; `PublicKeyCredential.parse*OptionsFromJSON`
 * and `toJSON()` where the browser has them, a few lines of base64url otherwise.
 */
export const PASSKEYS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>nest-warden sample: passkeys</title>
  <script src="/passkeys/passkeys.js" defer></script>
</head>
<body>
  <h1>Passkeys</h1>
  <p id="who">Not signed in.</p>
  <form id="password-form">
    <h2>1. Sign in with a password</h2>
    <input id="username" name="username" autocomplete="username webauthn" value="alice">
    <input id="password" name="password" type="password" autocomplete="current-password" value="alice-password">
    <button id="password-signin" type="submit">Sign in</button>
  </form>
  <h2>2. Register a passkey (signed in)</h2>
  <button id="register" type="button">Register a passkey</button>
  <h2>3. Sign in with the passkey (no username)</h2>
  <button id="passkey-signin" type="button">Sign in with a passkey</button>
  <h2>4. A page that needs a second factor</h2>
  <button id="security" type="button">GET /account/security</button>
  <pre id="status" role="status"></pre>
</body>
</html>
`;

export const PASSKEYS_SCRIPT = `'use strict';
const $ = (id) => document.getElementById(id);
let csrfToken = null;

function show(message, data) {
  $('status').textContent = data === undefined ? message : message + '\\n' + JSON.stringify(data, null, 2);
}

async function call(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new Error(res.status + ': ' + ((data && data.message) || res.statusText));
  return data;
}

// base64url <-> bytes, for browsers without the WebAuthn JSON helpers.
const toBytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4)), (c) => c.charCodeAt(0));
const toText = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const withIds = (list) => (list || []).map((c) => ({ ...c, id: toBytes(c.id) }));

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: toBytes(json.challenge), user: { ...json.user, id: toBytes(json.user.id) }, excludeCredentials: withIds(json.excludeCredentials) };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: toBytes(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

function credentialJson(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toText(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toText(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = toText(r.authenticatorData);
    response.signature = toText(r.signature);
    if (r.userHandle) response.userHandle = toText(r.userHandle);
  }
  return { id: credential.id, rawId: toText(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults() };
}

function signedIn(session, how) {
  csrfToken = session.csrfToken;
  $('who').textContent = 'Signed in (' + how + '), amr: ' + (session.amr || []).join(', ');
}

$('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const session = await call('POST', '/auth/session', { username: $('username').value, password: $('password').value });
    signedIn({ ...session, amr: ['pwd'] }, 'password');
    show('Signed in with a password.');
  } catch (error) { show('Sign-in refused: ' + error.message); }
});

$('register').addEventListener('click', async () => {
  try {
    const options = await call('POST', '/auth/passkeys/registration/options', {});
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    const passkey = await call('POST', '/auth/passkeys/registration', { response: credentialJson(credential), name: 'Sample page' });
    show('Passkey registered.', passkey);
  } catch (error) { show('Registration failed: ' + error.message); }
});

$('passkey-signin').addEventListener('click', async () => {
  try {
    const options = await call('POST', '/auth/passkeys/authentication/options', {});
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    const session = await call('POST', '/auth/passkeys/authentication', { response: credentialJson(credential) });
    signedIn(session, 'passkey');
    show('Signed in with a passkey.', session);
  } catch (error) { show('Passkey sign-in failed: ' + error.message); }
});

$('security').addEventListener('click', async () => {
  try {
    show('Second factor accepted.', await call('GET', '/account/security'));
  } catch (error) { show('Refused: ' + error.message); }
});
`;
