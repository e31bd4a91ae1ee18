import { generate } from 'otplib';
import { matchTotp, newTotpSecret, TOTP_PERIOD_SECONDS, totpUri } from './totp-codes.js';

describe('TOTP codes (RFC 6238)', () => {
  const epoch = 1_767_225_600; // a step boundary
  const step = epoch / TOTP_PERIOD_SECONDS;

  it('makes 160-bit base32 secrets and otpauth URIs', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri('Acme Notes', 'alice', secret));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme Notes:alice');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme Notes');
  });

  it('accepts the current step and one either side, nothing further', async () => {
    const secret = newTotpSecret();
    const code = await generate({ secret, epoch });
    expect(await matchTotp(secret, code, epoch, 1)).toBe(step);
    expect(await matchTotp(secret, code, epoch + 30, 1)).toBe(step);
    expect(await matchTotp(secret, code, epoch - 30, 1)).toBe(step);
    expect(await matchTotp(secret, code, epoch + 60, 1)).toBeNull();
    expect(await matchTotp(secret, code, epoch + 30, 0)).toBeNull();
  });

  it('refuses malformed codes without throwing', async () => {
    const secret = newTotpSecret();
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456', '12345६']) {
      expect(await matchTotp(secret, bad, epoch, 1)).toBeNull();
    }
  });
});
