import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';

describe('recovery codes', () => {
  it('generates distinct 80-bit codes in groups of four', () => {
    const codes = generateRecoveryCodes(10);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
  });

  it('accepts what users type: any case, with or without dashes and spaces', () => {
    const [code] = generateRecoveryCodes(1);
    const canonical = code.replace(/-/g, '');
    expect(normalizeRecoveryCode(code)).toBe(canonical);
    expect(normalizeRecoveryCode(code.toLowerCase())).toBe(canonical);
    expect(normalizeRecoveryCode(` ${code.replace(/-/g, ' ')} `)).toBe(canonical);
  });

  it('refuses what cannot be a code', () => {
    for (const bad of ['', '123456', 'ABCD-EFGH-IJKL-MNO', 'ABCD-EFGH-IJKL-MNO0', 'A'.repeat(65), 'ABCD-EFGH-IJKL-MNOPQ']) {
      expect(normalizeRecoveryCode(bad)).toBeNull();
    }
  });

  it('hashes per user', () => {
    expect(hashRecoveryCode('u1', 'ABCDEFGHIJKLMNOP')).toBe(hashRecoveryCode('u1', 'ABCDEFGHIJKLMNOP'));
    expect(hashRecoveryCode('u1', 'ABCDEFGHIJKLMNOP')).not.toBe(hashRecoveryCode('u2', 'ABCDEFGHIJKLMNOP'));
    expect(hashRecoveryCode('u1', 'ABCDEFGHIJKLMNOP')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
