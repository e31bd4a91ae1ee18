import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PasswordHasher } from '../../lib/index.js';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { decodeJwt } from 'jose';
import { AppModule, appWithSecondStep, AuditTrail, OneTimeCodes, UsersService } from './tokens.example.js';

/** Runs the examples of docs/tokens.md, so what the guide claims is what the code does. */
describe.each(ADAPTERS)('docs/examples/tokens (%s)', (adapter) => {
  let app: INestApplication;
  const saved = { secret: process.env.JWT_SECRET, client: process.env.REPORTING_CLIENT_SECRET };

  beforeAll(async () => {
    delete process.env.JWT_SECRET;
    process.env.REPORTING_CLIENT_SECRET = 'reporting-secret-0123456789abcdefghijkl';
    app = await createApp(adapter, { imports: [AppModule] });
    const users = app.get(UsersService);
    const hasher = app.get(PasswordHasher);
    users.add({ id: '42', username: 'ada', passwordHash: await hasher.hash('correct horse'), scopes: ['items:read', 'items:write'] });
  });
  afterAll(async () => {
    await app.close();
    for (const [name, value] of [['JWT_SECRET', saved.secret], ['REPORTING_CLIENT_SECRET', saved.client]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const form = (body: string, authorization?: string) => {
    const req = request(app.getHttpServer()).post('/auth/token').type('form').send(body);
    return authorization ? req.set('Authorization', authorization) : req;
  };

  it('signs in with the password grant, calls a scoped route, refreshes and detects reuse', async () => {
    const signIn = await form('grant_type=password&username=ada&password=correct%20horse').expect(200);
    expect(signIn.body).toEqual(expect.objectContaining({ token_type: 'Bearer', expires_in: 600, scope: 'items:read items:write' }));
    const me = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${signIn.body.access_token}`).expect(200);
    expect(me.body).toEqual({ id: '42', username: 'ada', scopes: ['items:read', 'items:write'], client: 'web-app' });
    await request(app.getHttpServer()).post('/items').set('Authorization', `Bearer ${signIn.body.access_token}`).send({ name: 'x' }).expect(201);

    await form(`grant_type=refresh_token&refresh_token=${signIn.body.refresh_token}`).expect(200);
    const reuse = await form(`grant_type=refresh_token&refresh_token=${signIn.body.refresh_token}`);
    expect(reuse.body.error).toBe('invalid_grant');
    expect(app.get(AuditTrail).reuses).toHaveLength(1);
  });

  it('limits the confidential client to its scopes', async () => {
    const basic = `Basic ${Buffer.from(`reporting:${process.env.REPORTING_CLIENT_SECRET}`).toString('base64')}`;
    const res = await form('grant_type=password&username=ada&password=correct%20horse', basic).expect(200);
    expect(res.body.scope).toBe('items:read');
  });

  it('issues tokens from your own sign-in through TokenService', async () => {
    const res = await request(app.getHttpServer()).post('/auth/magic-link/exchange').send({ username: 'ada' }).expect(201);
    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
  });
});

describe.each(ADAPTERS)('docs/examples/tokens: a second step (%s)', (adapter) => {
  let app: INestApplication;
  const saved = process.env.REPORTING_CLIENT_SECRET;

  /** A code checker for the test: one valid code per user id. */
  class KnownCodes extends OneTimeCodes {
    async check(userId: string, code: string | undefined): Promise<boolean> {
      return userId === '42' && code === '314159';
    }
  }

  beforeAll(async () => {
    process.env.REPORTING_CLIENT_SECRET = 'reporting-secret-0123456789abcdefghijkl';
    app = await createApp(adapter, { imports: [appWithSecondStep(new KnownCodes())] });
    app.get(UsersService).add({ id: '42', username: 'ada', passwordHash: await app.get(PasswordHasher).hash('correct horse') });
  });
  afterAll(async () => {
    await app.close();
    if (saved === undefined) delete process.env.REPORTING_CLIENT_SECRET;
    else process.env.REPORTING_CLIENT_SECRET = saved;
  });

  it('requires the code after the password, and records it in amr', async () => {
    const post = (body: string) => request(app.getHttpServer()).post('/auth/token').type('form').send(body);
    const without = await post('grant_type=password&username=ada&password=correct%20horse');
    expect(without.status).toBe(400);
    expect(without.body).toEqual({ error: 'invalid_grant', error_description: 'A valid one-time code is required' });
    const res = await post('grant_type=password&username=ada&password=correct%20horse&otp=314159').expect(200);
    expect(decodeJwt(res.body.access_token).amr).toEqual(['pwd', 'otp']);
  });
});
