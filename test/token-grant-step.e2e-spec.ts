import { Injectable, type INestApplication } from '@nestjs/common';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { OAuthError, PasswordGrantStep, type TokenRequestParameters, type UserAccount } from '../lib/index.js';
import { tokenTestModule } from './fixtures/token-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { ALICE } from './helpers/users.js';

/** What a second factor plugs in as: it reads its own parameter and adds its `amr` value. */
@Injectable()
class FixedCodeStep extends PasswordGrantStep {
  readonly seen: string[] = [];

  async verify(account: UserAccount, parameters: TokenRequestParameters): Promise<readonly string[]> {
    this.seen.push(account.id);
    if (parameters.get('otp') !== '123456') throw new OAuthError('invalid_grant', 'A valid one-time code is required');
    return ['otp'];
  }
}

describe.each(ADAPTERS)('a further step of the password grant (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [tokenTestModule({ providers: [FixedCodeStep, { provide: PasswordGrantStep, useExisting: FixedCodeStep }] })],
    });
  });
  afterAll(() => app.close());

  const signIn = (extra: string) =>
    request(app.getHttpServer()).post('/auth/token').type('form').send(`grant_type=password&username=alice&password=${ALICE.password}${extra}`);

  it('runs after the password is verified and adds its amr value to the tokens', async () => {
    const res = await signIn('&otp=123456').expect(200);
    expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd', 'otp']);
    const refreshed = await request(app.getHttpServer())
      .post('/auth/token')
      .type('form')
      .send(`grant_type=refresh_token&refresh_token=${res.body.refresh_token}`)
      .expect(200);
    expect(decodeJwt(refreshed.body.access_token).amr).toEqual(['pwd', 'otp']);
  });

  it('refuses with its own RFC 6749 error, and is not consulted for a wrong password', async () => {
    const res = await signIn('&otp=000000');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'A valid one-time code is required' });
    const step = app.get(FixedCodeStep);
    const before = step.seen.length;
    await request(app.getHttpServer()).post('/auth/token').type('form').send('grant_type=password&username=alice&password=wrong').expect(400);
    expect(step.seen.length).toBe(before);
  });
});
