import { DefaultAuthorizationLoginPage, escapeHtml } from './authorization-login-page.js';

describe('the default authorization pages', () => {
  const page = new DefaultAuthorizationLoginPage();
  const attack = '"><script>alert(1)</script><a x=\'';

  it('escapes text and attribute values', () => {
    expect(escapeHtml(`<&>"'`)).toBe('&#60;&#38;&#62;&#34;&#39;');
  });

  it('never lets a reflected parameter (state, client id, scope, username, error) out of its attribute or text', () => {
    const html = page.renderLogin({
      action: '/auth/authorize',
      hiddenFields: { state: attack, client_id: attack },
      clientId: attack,
      scopes: [attack],
      error: attack,
      askCode: true,
      username: attack,
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<a x=');
    expect(html).toContain('name="otp"');
    const consent = page.renderConsent({ action: '/auth/authorize', hiddenFields: { state: attack }, clientId: attack, scopes: [attack], username: attack });
    expect(consent).not.toContain('<script>');
    expect(page.renderError({ error: attack, description: attack })).not.toContain('<script>');
  });
});
