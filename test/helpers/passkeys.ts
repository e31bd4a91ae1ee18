import { Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { createServer } from 'node:net';
import type { CDPSession, Page } from 'playwright-core';
import { DemoPasskeys } from '../../sample/passkeys/demo-passkeys.js';

/** An in-memory `PasskeyDirectory` (the sample's): `{ provide: PasskeyDirectory, useExisting: InMemoryPasskeys }`. */
@Injectable()
export class InMemoryPasskeys extends DemoPasskeys {}

/** A CTAP2 platform authenticator in the page (DevTools protocol `WebAuthn` domain), as a phone or laptop has. */
export interface VirtualAuthenticator {
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
}

/** Adds a virtual authenticator that holds discoverable credentials and verifies the user (a passkey provider). */
export async function addVirtualAuthenticator(
  page: Page,
  options: { isUserVerified?: boolean; hasUserVerification?: boolean; backupEligible?: boolean } = {},
): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: options.hasUserVerification ?? true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
      // A synced passkey (backup eligible, not yet backed up), or a device-bound one.
      defaultBackupEligibility: options.backupEligible ?? false,
      defaultBackupState: false,
    },
  });
  return { cdp, authenticatorId };
}

/** What the authenticator holds (with private keys, base64 PKCS#8), to copy a passkey elsewhere. */
export async function credentialsOf(authenticator: VirtualAuthenticator) {
  const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', { authenticatorId: authenticator.authenticatorId });
  return credentials;
}

/** `navigator.credentials.create()` with the server's JSON options; the credential's `toJSON()`. */
export function createInPage(page: Page, options: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json as PublicKeyCredentialCreationOptionsJSON);
    const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential;
    return credential.toJSON() as unknown as Record<string, unknown>;
  }, options);
}

/** `navigator.credentials.get()` with the server's JSON options (optionally changed first); `toJSON()`. */
export function getInPage(page: Page, options: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json as PublicKeyCredentialRequestOptionsJSON);
    const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
    return credential.toJSON() as unknown as Record<string, unknown>;
  }, options);
}

/** A port nobody listens on now (for an app whose origin must be configured before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A credential as `WebAuthn.getCredentials` returns it (base64 fields). */
export interface CdpCredential {
  readonly credentialId: string;
  readonly privateKey: string;
  readonly userHandle?: string;
}

/**
 * An assertion made in Node with a key taken from the virtual authenticator, for what Chromium's
 * authenticator never sends (a signature counter of 0). No CBOR is involved: authenticator data is
 * rpIdHash ‖ flags ‖ counter (WebAuthn §6.1), the signature covers it and the hash of clientDataJSON.
 */
export function softwareAssertion(
  credential: CdpCredential,
  input: { challenge: string; origin: string; rpId: string; counter: number; flags?: number },
): Record<string, unknown> {
  const b64url = (bytes: Buffer | string) => (typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : bytes).toString('base64url');
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: input.challenge, origin: input.origin, crossOrigin: false }));
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(input.counter);
  const authenticatorData = Buffer.concat([createHash('sha256').update(input.rpId).digest(), Buffer.from([input.flags ?? 0x05]), counter]);
  const key = createPrivateKey({ key: Buffer.from(credential.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const signed = Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]);
  // EdDSA (COSE -8, listed first by the server) signs the message itself; ECDSA and RSA hash it with SHA-256.
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', signed, key);
  return {
    id: b64url(credential.credentialId),
    rawId: b64url(credential.credentialId),
    type: 'public-key',
    response: {
      clientDataJSON: b64url(clientDataJSON),
      authenticatorData: b64url(authenticatorData),
      signature: b64url(signature),
      ...(credential.userHandle ? { userHandle: b64url(credential.userHandle) } : {}),
    },
    clientExtensionResults: {},
  };
}
