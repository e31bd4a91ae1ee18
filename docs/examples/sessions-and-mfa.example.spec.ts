import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecoveryContext } from '../../lib/account-recovery/recovery-context.js';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { loginAs, sessionFrom } from '../../test/helpers/sessions.js';
import { signTestToken } from '../../test/helpers/tokens.js';
import { hashForTest } from '../../test/helpers/users.js';
import { AppModule, DEV_JWT_SECRET, Mailer, RefreshTokenRevoker, UsersService } from './sessions-and-mfa.example.js';

describe.each(ADAPTERS)('docs/examples/sessions-and-mfa (%s)', (adapter) => {
  let app: INestApplication;
  const server = () => app.getHttpServer();

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AppModule] });
    app.get(UsersService).rows.set('u-1', {
      id: 'u-1',
      username: 'ada',
      passwordHash: await hashForTest('ada-password'),
      roles: ['user'],
      email: 'ada@notes.example',
      emailVerified: false,
    });
  });
  afterAll(() => app.close());

  it('serves the session endpoints and demands the second factor where the example says so', async () => {
    const session = await loginAs(app, { username: 'ada', password: 'ada-password' });
    expect((await request(server()).get('/me').set('Cookie', session.cookie)).body).toEqual({ id: 'u-1', username: 'ada', roles: ['user'] });
    await request(server()).post('/billing/payout').set('Cookie', session.cookie).expect(403);
    const payout = await request(server()).post('/billing/payout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf);
    expect(payout.body.message).toBe('A second authentication factor is required');
    await request(server()).post('/auth/session/logout-all').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(204);
    expect(app.get(RefreshTokenRevoker).revoked).toEqual(['u-1:logout-everywhere']);
  });

  it('mails reset links with the token in the fragment, and leaves out the endpoints set to false', async () => {
    await request(server()).post('/auth/password-reset').send({ email: 'ada@notes.example' }).expect(202);
    await app.get(RecoveryContext).settled();
    const [mail] = app.get(Mailer).outbox;
    expect(mail.link).toMatch(/^https:\/\/notes\.example\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    const session = await loginAs(app, { username: 'ada', password: 'ada-password' });
    await request(server()).post('/auth/email-verification').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(404);
  });

  it('trades a bearer token for a cookie session, keeping amr', async () => {
    const key = new TextEncoder().encode(process.env.JWT_SECRET ?? DEV_JWT_SECRET);
    const token = await signTestToken({ sub: 'u-1', username: 'ada', amr: ['pwd', 'otp'] }, { key });
    const res = await request(server()).post('/auth/session/from-token').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(201);
    const session = sessionFrom(res, res.body.csrfToken as string);
    expect((await request(server()).get('/auth/session').set('Cookie', session.cookie)).body.amr).toEqual(['pwd', 'otp']);
    await request(server()).post('/billing/payout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(201);
  });
});
