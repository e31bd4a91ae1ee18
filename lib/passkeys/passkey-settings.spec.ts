import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { PasskeyOptions } from './passkey.options.js';
import { PasskeySettings } from './passkey-settings.js';

const build = (options: PasskeyOptions) => new PasskeySettings(options, 'Realm');

describe('PasskeySettings', () => {
  it('applies the defaults: user verification required, 5-minute challenges, rpName from the realm', () => {
    expect(build({ rpId: 'example.com', origins: ['https://example.com', 'https://app.example.com'] }).config).toEqual({
      rpId: 'example.com',
      rpName: 'Realm',
      origins: ['https://example.com', 'https://app.example.com'],
      userVerification: 'required',
      challengeTtlMs: 300_000,
      timeoutMs: 300_000,
      maxPerUser: 20,
    });
    expect(new PasskeySettings(undefined, 'Realm').enabled).toBe(false);
  });

  it('accepts loopback http origins for development', () => {
    expect(build({ rpId: 'localhost', origins: ['http://localhost:3000', 'http://app.localhost:3000'] }).config!.origins).toHaveLength(2);
  });

  it.each([
    [{ rpId: 'https://example.com', origins: ['https://example.com'] }, 'passkeys.rpId "https://example.com" is not a domain.'],
    [{ rpId: 'Example.com', origins: ['https://example.com'] }, 'is not a domain'],
    [{ rpId: 'example.com', origins: [] }, 'passkeys.origins must list the origins'],
    [{ rpId: 'example.com', origins: ['https://example.com/'] }, 'is not an origin'],
    [{ rpId: 'example.com', origins: ['http://example.com'] }, 'is not https'],
    [{ rpId: 'example.com', origins: ['https://evil.com'] }, "is not on the relying party's domain example.com"],
    [{ rpId: 'example.com', origins: ['https://notexample.com'] }, "is not on the relying party's domain"],
    [{ rpId: 'example.com', origins: ['https://example.com'], userVerification: 'discouraged' as never }, 'userVerification must be'],
    [{ rpId: 'example.com', origins: ['https://example.com'], challengeTtlMs: 0 }, 'challengeTtlMs must be a positive integer'],
  ])('refuses %j at boot, naming the fix', (options, message) => {
    expect(() => build(options as PasskeyOptions)).toThrow(AuthConfigurationError);
    expect(() => build(options as PasskeyOptions)).toThrow(message);
  });
});
