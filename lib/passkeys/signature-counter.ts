/**
 * WebAuthn §6.1.1 and §7.2 step 21: the signature counter must grow with every assertion. An
 * authenticator without a counter always sends 0: when both the stored and the received counter
 * are 0 there is nothing to compare and the assertion is accepted. Otherwise a counter that did not
 * grow means two copies of the key exist (a cloned authenticator), and the assertion is refused.
 */
export function signatureCounterAccepted(received: number, stored: number): boolean {
  if (received === 0 && stored === 0) return true;
  return received > stored;
}
