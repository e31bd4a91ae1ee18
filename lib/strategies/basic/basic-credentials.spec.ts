import { decodeBasicCredentials } from './basic-credentials.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const decode = (token68: string) => decodeBasicCredentials(token68, 4096);

describe('decodeBasicCredentials (RFC 7617)', () => {
  it('splits user-id and password at the first colon', () => {
    expect(decode(b64('alice:alice-password'))).toEqual({ ok: true, username: 'alice', password: 'alice-password' });
    expect(decode(b64('carol:pa:ss:word'))).toEqual({ ok: true, username: 'carol', password: 'pa:ss:word' });
  });

  it('decodes UTF-8 (the charset we announce)', () => {
    expect(decode(b64('jürgen:pässwörd€🔑'))).toEqual({ ok: true, username: 'jürgen', password: 'pässwörd€🔑' });
  });

  it('keeps spaces, which RFC 7617 allows in both parts', () => {
    expect(decode(b64(' a b : c d '))).toEqual({ ok: true, username: ' a b ', password: ' c d ' });
  });

  it.each([
    ['nothing', '', 'empty'],
    ['invalid alphabet', 'YWxp!2U6cHc=', 'not_base64'],
    ['base64url alphabet', b64('a?>:pw?>').replace(/\+/g, '-').replace(/\//g, '_'), 'not_base64'],
    ['missing padding', 'YWxpY2U6cHc', 'not_base64'],
    ['too much padding', 'YWxpY2U6cHc==', 'not_base64'],
    ['padding in the middle', 'YQ==YQ==', 'not_base64'],
    ['whitespace inside', 'YWxp Y2U6cHc=', 'not_base64'],
    ['non-zero padding bits (non-canonical)', 'YWxpY2U6cHd=', 'not_base64'],
    ['Latin-1 instead of UTF-8', b64(Buffer.from('jürgen:pw', 'latin1')), 'not_utf8'],
    ['an overlong UTF-8 encoding', b64(Buffer.from([0x61, 0x3a, 0xc0, 0xaf])), 'not_utf8'],
    ['a lone surrogate (CESU-8)', b64(Buffer.from([0x61, 0x3a, 0xed, 0xa0, 0x80])), 'not_utf8'],
    ['no colon', b64('alice'), 'no_colon'],
    ['an empty user-id', b64(':pw'), 'empty_username'],
    ['an empty password', b64('alice:'), 'empty_password'],
    ['both empty (Swagger UI sends Og==)', 'Og==', 'empty_username'],
    ['a NUL in the password', b64('alice:pw\u0000x'), 'control_character'],
    ['a newline in the user-id', b64('ali\nce:pw'), 'control_character'],
    ['DEL', b64('alice:pw\u007f'), 'control_character'],
    ['a C1 control', b64('alice:pw\u0085'), 'control_character'],
  ])('refuses %s', (_label, token68, problem) => {
    expect(decode(token68)).toEqual({ ok: false, problem });
  });

  it('refuses credentials over the length limit before decoding them', () => {
    const token68 = b64(`alice:${'p'.repeat(3000)}`);
    expect(decodeBasicCredentials(token68, token68.length)).toMatchObject({ ok: true });
    expect(decodeBasicCredentials(token68, token68.length - 1)).toEqual({ ok: false, problem: 'too_long' });
  });
});
