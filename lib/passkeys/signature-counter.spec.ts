import { signatureCounterAccepted } from './signature-counter.js';

describe('signature counter (WebAuthn §6.1.1)', () => {
  it('accepts a counter that grew', () => {
    expect(signatureCounterAccepted(1, 0)).toBe(true);
    expect(signatureCounterAccepted(8, 7)).toBe(true);
  });

  it('accepts 0 after 0: authenticators without a counter (most synced passkeys)', () => {
    expect(signatureCounterAccepted(0, 0)).toBe(true);
  });

  it('refuses a counter that went backwards or stayed put (a cloned authenticator)', () => {
    expect(signatureCounterAccepted(7, 7)).toBe(false);
    expect(signatureCounterAccepted(3, 7)).toBe(false);
    expect(signatureCounterAccepted(0, 7)).toBe(false);
  });
});
