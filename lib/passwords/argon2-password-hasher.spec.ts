import { jest } from '@jest/globals';
import type { PasswordHasherOptions } from './password-hasher.js';

/** Counts calls into the real argon2 binding, so "refused without hashing" is a fact, not a timing. */
const calls = { hash: 0, verify: 0 };
jest.unstable_mockModule('argon2', () => {
  const real = jest.requireActual<typeof import('argon2')>('argon2');
  return {
    ...real,
    hash: ((...args: Parameters<typeof real.hash>) => {
      calls.hash++;
      return real.hash(...args);
    }) as typeof real.hash,
    verify: (...args: Parameters<typeof real.verify>) => {
      calls.verify++;
      return real.verify(...args);
    },
  };
});
const argon2 = await import('argon2');
const { Argon2PasswordHasher } = await import('./argon2-password-hasher.js');
const { PasswordPolicyError } = await import('./password-hasher.js');

const CHEAP: PasswordHasherOptions = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const hasherWith = (passwords?: PasswordHasherOptions) =>
  new Argon2PasswordHasher(passwords ?? {});
const resetCalls = () => Object.assign(calls, { hash: 0, verify: 0 });

describe('Argon2PasswordHasher', () => {
  describe('at the real defaults (OWASP: argon2id, m=19456 KiB, t=2, p=1)', () => {
    const hasher = hasherWith();
    let hash: string;
    beforeAll(async () => {
      hash = await hasher.hash('correct horse battery staple');
    });

    it('writes an argon2id PHC string carrying the OWASP parameters', () => {
      const [, variant, version, params, salt, digest] = hash.split('$');
      expect({ variant, version }).toEqual({ variant: 'argon2id', version: 'v=19' });
      // node-argon2 writes the parameters in alphabetical order (m, p, t)
      expect(Object.fromEntries(params.split(',').map((kv) => kv.split('=')))).toEqual({ m: '19456', t: '2', p: '1' });
      expect(Buffer.from(salt, 'base64')).toHaveLength(16);
      expect(Buffer.from(digest, 'base64')).toHaveLength(32);
    });

    it('verifies the right password and refuses a wrong one', async () => {
      await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
      await expect(hasher.verify(hash, 'correct horse battery stapl')).resolves.toBe(false);
    });

    it('salts: the same password hashes differently each time', async () => {
      expect(await hasher.hash('correct horse battery staple')).not.toBe(hash);
    });

    it('does not ask to rehash its own hashes', () => {
      expect(hasher.needsRehash(hash)).toBe(false);
    });

    it('verifyDummy runs one real verification and answers false', async () => {
      await hasher.onModuleInit();
      resetCalls();
      await expect(hasher.verifyDummy('correct horse battery staple')).resolves.toBe(false);
      expect(calls).toEqual({ hash: 0, verify: 1 });
    });
  });

  describe('needsRehash', () => {
    const hasher = hasherWith(CHEAP);

    it('asks to rehash hashes made with other parameters, so logins upgrade them', async () => {
      const weaker = await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 512, timeCost: 1, parallelism: 1 });
      const stronger = await argon2.hash('pw', { type: argon2.argon2id, memoryCost: 1024, timeCost: 2, parallelism: 1 });
      expect(hasher.needsRehash(weaker)).toBe(true);
      expect(hasher.needsRehash(stronger)).toBe(true);
      expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    });

    it('asks to rehash argon2i / argon2d hashes at the same parameters (argon2 itself ignores the variant)', async () => {
      const argon2i = await argon2.hash('pw', { type: argon2.argon2i, ...CHEAP });
      const argon2d = await argon2.hash('pw', { type: argon2.argon2d, ...CHEAP });
      expect(argon2.needsRehash(argon2i, CHEAP)).toBe(false);
      expect(hasher.needsRehash(argon2i)).toBe(true);
      expect(hasher.needsRehash(argon2d)).toBe(true);
    });

    it('asks to rehash anything that is not an argon2id hash, never throws', () => {
      for (const junk of ['', 'plain', '$2b$12$abcdefghijklmnopqrstuuJ3VZ4k0K9sWbXxwqYb6lqH8a2rW6Yq', '$argon2id$', '$argon2id$v=19$m=x']) {
        expect(hasher.needsRehash(junk)).toBe(true);
      }
      expect(hasher.needsRehash(undefined as unknown as string)).toBe(true);
    });
  });

  describe('length cap', () => {
    const hasher = hasherWith(CHEAP);
    const oneMegabyte = 'a'.repeat(1024 * 1024);

    it('refuses a 1 MB password in verify without calling argon2', async () => {
      const hash = await hasher.hash('pw');
      resetCalls();
      await expect(hasher.verify(hash, oneMegabyte)).resolves.toBe(false);
      expect(calls).toEqual({ hash: 0, verify: 0 });
    });

    it('refuses a 1 MB password in verifyDummy too, so unknown users and known ones answer alike', async () => {
      resetCalls();
      await expect(hasher.verifyDummy(oneMegabyte)).resolves.toBe(false);
      expect(calls).toEqual({ hash: 0, verify: 0 });
    });

    it('refuses to hash a 1 MB password, or an empty one', async () => {
      resetCalls();
      await expect(hasher.hash(oneMegabyte)).rejects.toThrow(new PasswordPolicyError('Password must be at most 1024 bytes'));
      await expect(hasher.hash('')).rejects.toThrow(PasswordPolicyError);
      expect(calls.hash).toBe(0);
    });

    it('counts UTF-8 bytes, not characters', async () => {
      const capped = hasherWith({ ...CHEAP, maxPasswordBytes: 8 });
      await expect(capped.hash('éééé')).resolves.toMatch(/^\$argon2id\$/); // 8 bytes
      await expect(capped.hash('ééééé')).rejects.toThrow(PasswordPolicyError); // 10 bytes, 5 characters
      await expect(capped.hash('€€€')).rejects.toThrow(PasswordPolicyError); // 9 bytes, 3 characters
    });
  });

  describe('malformed input', () => {
    const hasher = hasherWith(CHEAP);

    it('answers false, never throws, for malformed or foreign hashes', async () => {
      const good = await hasher.hash('pw');
      const junk = [
        '',
        'pw',
        '$argon2id$',
        '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA',
        good.slice(0, -5),
        good.replace('$argon2id$', '$argon2x$'),
        good.replace('m=1024', 'm=abc'),
        '$2b$12$abcdefghijklmnopqrstuuJ3VZ4k0K9sWbXxwqYb6lqH8a2rW6Yq',
      ];
      for (const hash of junk) await expect(hasher.verify(hash, 'pw')).resolves.toBe(false);
    });

    it('answers false for non-string input', async () => {
      const good = await hasher.hash('pw');
      await expect(hasher.verify(good, undefined as unknown as string)).resolves.toBe(false);
      await expect(hasher.verify(null as unknown as string, 'pw')).resolves.toBe(false);
      await expect(hasher.verifyDummy(42 as unknown as string)).resolves.toBe(false);
    });
  });

  describe('configuration', () => {
    it('refuses parameters argon2 cannot run with, at boot', () => {
      expect(() => hasherWith({ memoryCost: 0 })).toThrow(/passwords\.memoryCost must be a positive integer/);
      expect(() => hasherWith({ timeCost: 1.5 })).toThrow(/passwords\.timeCost/);
      expect(() => hasherWith({ memoryCost: 8, parallelism: 2 })).toThrow(/minimum of 8 KiB per lane/);
      expect(() => hasherWith({ maxPasswordBytes: -1 })).toThrow(/passwords\.maxPasswordBytes/);
    });
  });
});
