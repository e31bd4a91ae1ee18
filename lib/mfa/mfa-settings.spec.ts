import { MfaSettings } from './mfa-settings.js';

describe('MfaSettings: mfa.passwordLogins (issue 18 item 7)', () => {
  it("defaults to 'require': an enrolled account sends its second factor with the password on every path", () => {
    expect(new MfaSettings({}, 'Realm').require().passwordLogins).toBe('require');
    expect(new MfaSettings({ passwordLogins: 'step-up' }, 'Realm').require().passwordLogins).toBe('step-up');
  });

  it('refuses an unknown policy at boot, naming the two there are', () => {
    expect(() => new MfaSettings({ passwordLogins: 'never' as never }, 'Realm')).toThrow(/mfa\.passwordLogins "never" is unknown.*"require".*"step-up"/s);
  });
});
