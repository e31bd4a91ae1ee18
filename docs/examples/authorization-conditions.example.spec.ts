import type { INestApplication } from '@nestjs/common';
import type { JWTPayload } from 'jose';
import pg from 'pg';
import request from 'supertest';
import { ADAPTERS, createApp } from '../../test/helpers/create-app.js';
import { signTestToken, TEST_SECRET } from '../../test/helpers/tokens.js';
import { AppModule, Articles, type Article } from './authorization-conditions.example.js';

const ARTICLES: readonly Article[] = [
  { id: 1, title: 'Team 3 draft', body: 'a', teamId: 3, published: false },
  { id: 2, title: 'Team 3 news', body: 'b', teamId: 3, published: true },
  { id: 3, title: 'Team 7 draft', body: 'c', teamId: 7, published: false },
  { id: 4, title: 'Team 13 draft', body: 'd', teamId: 13, published: false },
];

/** Runs the examples of docs/authorization-conditions.md against the local PostgreSQL, a table per run. */
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, database: 'test', user: process.env.PGUSER ?? 'postgres', max: 2 });
const table = `doc_articles_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
beforeAll(async () => {
  await pool.query(`CREATE TABLE "${table}" (id integer PRIMARY KEY, title text, body text, "teamId" integer, published boolean)`);
  for (const a of ARTICLES) await pool.query(`INSERT INTO "${table}" VALUES ($1, $2, $3, $4, $5)`, [a.id, a.title, a.body, a.teamId, a.published]);
});
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.end();
});

describe.each(ADAPTERS)('docs/examples/authorization-conditions (%s)', (adapter) => {
  let app: INestApplication;
  const previousSecret = process.env.JWT_SECRET;

  beforeAll(async () => {
    process.env.JWT_SECRET = TEST_SECRET;
    app = await createApp(adapter, { imports: [AppModule] }, { override: (b) => b.overrideProvider(Articles).useValue(new Articles(pool, table)) });
  });
  afterAll(async () => {
    await app.close();
    if (previousSecret === undefined) delete process.env.JWT_SECRET;
    else process.env.JWT_SECRET = previousSecret;
  });

  const call = async (method: 'get' | 'patch' | 'post', path: string, claims: JWTPayload, body?: object) => {
    const token = await signTestToken({ iss: 'https://id.example.com', aud: 'api', ...claims });
    const req = request(app.getHttpServer())[method](path).set('Authorization', `Bearer ${token}`);
    return body ? req.send(body) : req;
  };
  const EDITOR = { sub: 'e1', roles: ['editor'], team_id: 3 };

  it('lists only what the rules allow, in SQL, and gives the Mongo and Prisma filters', async () => {
    expect((await call('get', '/articles', EDITOR)).body).toEqual([ARTICLES[0], ARTICLES[1]]);
    expect((await call('get', '/articles', { sub: 'v1' })).body).toEqual([ARTICLES[1]]);
    expect((await call('get', '/articles', { sub: 'a1', roles: ['admin'] })).body).toEqual(ARTICLES);
    expect((await call('get', '/articles/filters', EDITOR)).body).toEqual({
      mongo: { $or: [{ teamId: 3 }, { published: true }] },
      prisma: { OR: [{ teamId: 3 }, { published: true }] },
    });
  });

  it('checks a loaded article against the conditions: 200, 403, 404', async () => {
    expect((await call('get', '/articles/1', EDITOR)).status).toBe(200);
    expect((await call('get', '/articles/3', EDITOR)).status).toBe(403);
    expect((await call('get', '/articles/99', EDITOR)).status).toBe(404);
    expect((await call('patch', '/articles/1', EDITOR, { title: 'New' })).body).toEqual({ ...ARTICLES[0], title: 'New' });
    expect((await call('patch', '/articles/2', EDITOR, { title: 'New' })).status).toBe(403); // published: the cannot rule
    expect((await call('patch', '/articles/4', { ...EDITOR, team_id: 13 }, { title: 'New' })).status).toBe(403); // frozen team (factory)
  });

  it('refuses forbidden fields by name and filters read fields', async () => {
    const res = await call('patch', '/articles/1', EDITOR, { title: 'New', teamId: 7 });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('Forbidden fields: teamId');
    expect((await call('get', '/users', { sub: 's1', roles: ['support'] })).body).toEqual([{ id: 'u1', name: 'Ada' }]);
    expect((await call('post', '/users/u1', { sub: 's1', roles: ['support'] }, { name: 'Ada L.' })).body).toEqual({ renamed: 'Ada L.' });
    expect((await call('post', '/users/u1', { sub: 's1', roles: ['support'] }, { email: 'x@example.com' })).body.message).toBe(
      'Forbidden fields: email',
    );
  });
});
