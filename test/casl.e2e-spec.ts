import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { JWTPayload } from 'jose';
import { AuthConfigurationError } from '../lib/index.js';
import { CaslModule } from '../lib/casl/index.js';
import { caslTestModule, PostAuthorship, PostLoader, POSTS, PostsTable, SuspensionRules } from './fixtures/casl-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

/** Callers: roles as the JWT carries them, their team as a claim the rules read. */
const BOB = { sub: 'u-bob', roles: ['editor'], teamId: 3 };
const DAVE = { sub: 'u-dave', roles: ['editor'], teamId: 7 };
const SUSPENDED = { sub: 'u-sam', roles: ['editor'], teamId: 3, suspended: true };
const VIEWER = { sub: 'u-vic', roles: ['viewer'] };
const SUPPORT = { sub: 'u-carol', roles: ['support'] };
const ADMIN = { sub: 'u-root', roles: ['admin'] };
const NOBODY = { sub: 'u-nobody' };

const table = new PostsTable();
beforeAll(() => table.create());
afterAll(() => table.drop());

const titles = (ids: number[]) => POSTS.filter((p) => ids.includes(p.id));

describe.each(ADAPTERS)('conditions and fields on CASL (%s)', (adapter) => {
  let app: INestApplication;
  let loader: PostLoader;
  let authorship: PostAuthorship;
  let factory: SuspensionRules;
  const tokens = new Map<string, string>();

  /** Every caller's token, signed once up front so requests can be chained synchronously. */
  const CALLERS: JWTPayload[] = [BOB, DAVE, { ...DAVE, teamId: 3 }, SUSPENDED, VIEWER, SUPPORT, ADMIN, NOBODY];
  const as = (claims: JWTPayload | undefined, method: 'get' | 'patch' | 'post' | 'put', path: string, body?: object) => {
    let req = request(app.getHttpServer())[method](path);
    if (claims) req = req.set('Authorization', `Bearer ${tokens.get(JSON.stringify(claims))!}`);
    return body ? req.send(body) : req;
  };

  beforeAll(async () => {
    for (const claims of CALLERS) tokens.set(JSON.stringify(claims), await signTestToken(claims));
    app = await createApp(adapter, { imports: [caslTestModule(table)] });
    loader = app.get(PostLoader);
    authorship = app.get(PostAuthorship);
    factory = app.get(SuspensionRules);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    loader.calls = 0;
    authorship.calls = 0;
    factory.calls = 0;
    table.statements.length = 0;
  });

  const forbidden = (message: string) => ({ statusCode: 403, message, error: 'Forbidden' });

  describe('@Can() with a loaded resource: the conditions decide', () => {
    it('lets bob read and update a post of his team (condition true), loading it once', async () => {
      await as(BOB, 'get', '/posts/1').expect(200, POSTS[0]);
      expect(loader.calls).toBe(1);
      const res = await as(BOB, 'patch', '/posts/1', { title: 'New title' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...POSTS[0], title: 'New title' });
      expect(loader.calls).toBe(2);
      // one SELECT per request: the handler reads the loaded post with @OwnedResource()
      expect(table.statements).toHaveLength(2);
      // one ability per request, shared by the guard and @PermittedFields() (the factory is asked once each)
      expect(factory.calls).toBe(2);
    });

    it('refuses bob a post of team 7 (condition false) with 403, after one load', async () => {
      const res = await as(BOB, 'patch', '/posts/3', { title: 'x' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(forbidden('Not allowed by the access rules'));
      expect(loader.calls).toBe(1);
      await as(BOB, 'get', '/posts/3').expect(403); // a draft of team 7
    });

    it('answers 404 before 403 for a post that does not exist', async () => {
      await as(BOB, 'patch', '/posts/999', { title: 'x' }).expect(404);
      await as(VIEWER, 'get', '/posts/abc').expect(404);
      expect(loader.calls).toBe(2);
    });

    it('honours the role hierarchy: an editor also holds the viewer rules, an admin everything', async () => {
      await as(BOB, 'get', '/posts/4').expect(200, POSTS[3]); // team 7, but published: the viewer rule, through editor → viewer
      await as(VIEWER, 'get', '/posts/4').expect(200, POSTS[3]);
      await as(VIEWER, 'get', '/posts/3').expect(403);
      await as(ADMIN, 'get', '/posts/3').expect(200, POSTS[2]);
      await as(ADMIN, 'patch', '/posts/5', { title: 'admin' }).expect(200);
    });

    it('applies rules from an asynchronous AbilityFactory, built once per request', async () => {
      await as(SUSPENDED, 'patch', '/posts/1', { title: 'x' }).expect(403);
      expect(factory.calls).toBe(1);
      await as(SUSPENDED, 'get', '/posts/1').expect(200);
    });

    it('refuses callers without credentials with 401 and callers without any rule with 403', async () => {
      await as(undefined, 'get', '/posts/1').expect(401);
      expect(loader.calls).toBe(0);
      await as(NOBODY, 'get', '/posts/1').expect(403);
    });
  });

  describe('@Can() beside @Owner(): the owner resolver loads, the rules check the same object', () => {
    it('passes the author of a post of his team', async () => {
      await as(BOB, 'put', '/posts/1/authored').expect(200, { updated: 1 });
      expect(authorship.calls).toBe(1);
      expect(loader.calls).toBe(0);
    });

    it('refuses someone else’s post (owner check) and an owned post the rules refuse', async () => {
      await as(BOB, 'put', '/posts/2/authored').expect(403); // carol's post
      await as({ ...DAVE, teamId: 3 }, 'put', '/posts/3/authored').expect(403); // dave's, but his token says team 3
      await as(DAVE, 'put', '/posts/3/authored').expect(200);
      await as(DAVE, 'put', '/posts/404/authored').expect(404);
      expect(authorship.calls).toBe(4);
    });
  });

  describe('fields', () => {
    it('filters a response to the fields the caller may read', async () => {
      const plain = await as(BOB, 'get', '/users');
      expect(plain.status).toBe(200);
      expect(plain.body).toEqual([
        { id: 'u-bob', name: 'Bob' },
        { id: 'u-carol', name: 'Carol' },
      ]);
      const support = await as(SUPPORT, 'get', '/users');
      expect(support.body).toEqual([
        { id: 'u-bob', name: 'Bob', role: 'editor' },
        { id: 'u-carol', name: 'Carol', role: 'support' },
      ]);
      const admin = await as(ADMIN, 'get', '/users');
      expect(admin.body[0]).toEqual({ id: 'u-bob', name: 'Bob', email: 'bob@example.com', role: 'editor' });
    });

    it('refuses a write with forbidden fields with 403 naming them', async () => {
      const res = await as(BOB, 'patch', '/posts/1', { title: 'ok', teamId: 7, authorId: 'u-bob' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(forbidden('Forbidden fields: teamId, authorId'));
      const user = await as(SUPPORT, 'put', '/users/u-bob', { name: 'Robert', email: 'evil@example.com' });
      expect(user.status).toBe(403);
      expect(user.body).toEqual(forbidden('Forbidden fields: email'));
      await as(SUPPORT, 'put', '/users/u-bob', { name: 'Robert' }).expect(200, { id: 'u-bob', name: 'Robert', role: 'editor' });
    });

    it('checks a create against the body: the conditions hold on what is sent', async () => {
      await as(BOB, 'post', '/posts', { title: 'mine', body: 'b' }).expect(403); // no teamId: the condition teamId = 3 fails
      const res = await as(BOB, 'post', '/posts', { title: 'mine', body: 'b', teamId: 3 });
      // teamId makes the condition true, but is not a field bob may set
      expect(res.body).toEqual(forbidden('Forbidden fields: teamId'));
    });

    it('refuses a body that names a subject type of its own (403, never a 500)', async () => {
      const res = await as(BOB, 'patch', '/posts/1', { title: 'x', __caslSubjectType__: 'Comment' });
      expect(res.body).toEqual(forbidden('Forbidden fields: __caslSubjectType__'));
    });
  });

  describe('list filtering against PostgreSQL', () => {
    it('returns only the rows the rules allow, per caller', async () => {
      const bob = await as(BOB, 'get', '/posts');
      expect(bob.status).toBe(200);
      // editor of team 3 (its posts) + viewer (published ones)
      expect(bob.body).toEqual(titles([1, 2, 4]));
      expect((await as(DAVE, 'get', '/posts')).body).toEqual(titles([2, 3, 4]));
      expect((await as(VIEWER, 'get', '/posts')).body).toEqual(titles([2, 4]));
      expect((await as(ADMIN, 'get', '/posts')).body).toEqual(POSTS);
      expect(factory.calls).toBe(4); // the guard built it, @CurrentAbility() reused it
      expect(table.statements).toEqual([
        expect.stringMatching(/WHERE \("published" = \$1 or "teamId" = \$2\) ORDER BY id$/),
        expect.stringMatching(/WHERE \("published" = \$1 or "teamId" = \$2\) ORDER BY id$/),
        expect.stringMatching(/WHERE "published" = \$1 ORDER BY id$/),
        expect.stringMatching(/WHERE TRUE ORDER BY id$/),
      ]);
    });

    it('gives the same rules as a MongoDB-style filter', async () => {
      const res = await as(BOB, 'get', '/posts/filter');
      expect(res.body).toEqual({ filter: { $or: [{ published: true }, { teamId: 3 }] } });
    });

    it('gives the same rules as a Prisma where input (@casl/prisma, no generated client)', async () => {
      const res = await as(BOB, 'get', '/posts/prisma-where');
      expect(res.body).toEqual({ where: { OR: [{ published: true }, { teamId: 3 }] } });
      expect((await as(ADMIN, 'get', '/posts/prisma-where')).body).toEqual({ where: {} });
    });

    it('403s a caller with no read rule on Post before any query', async () => {
      await as(NOBODY, 'get', '/posts').expect(403);
      expect(table.statements).toEqual([]);
    });
  });

  it('leaves @Roles() routes as they were', async () => {
    await as(BOB, 'get', '/posts/roles/editor').expect(200);
    await as(VIEWER, 'get', '/posts/roles/editor').expect(403);
  });
});

describe('boot checks', () => {
  it('refuses @Can() without CaslModule, naming the route and the fix', async () => {
    const { Controller, Get, Module } = await import('@nestjs/common');
    const { AuthModule } = await import('../lib/index.js');
    const { Can } = await import('../lib/casl/index.js');
    const { CASL_AUTH_OPTIONS } = await import('./fixtures/casl-app.js');
    @Controller('x')
    class X {
      @Can('read', 'Post')
      @Get()
      get() {
        return {};
      }
    }
    @Module({ imports: [AuthModule.forRoot(CASL_AUTH_OPTIONS)], controllers: [X] })
    class M {}
    const boot = createApp('express', { imports: [M] });
    await expect(boot).rejects.toThrow(AuthConfigurationError);
    await expect(createApp('express', { imports: [M] })).rejects.toThrow(/@Can\('read', 'Post'\) on X\.get .*CaslModule\.forRoot/);
  });

  it('refuses two loaders for one resource (@Owner() beside @Can() with a resource)', async () => {
    const { Controller, Get } = await import('@nestjs/common');
    const { Owner } = await import('../lib/index.js');
    const { Can } = await import('../lib/casl/index.js');
    @Controller('y')
    class Y {
      @Owner(PostAuthorship)
      @Can('update', 'Post', { resource: PostLoader })
      @Get()
      get() {
        return {};
      }
    }
    await expect(createApp('express', { imports: [caslTestModule(table, undefined, [Y])] })).rejects.toThrow(
      /Y\.get has both @Owner\(PostAuthorship\) and @Can\(\.\.\., \{ resource: PostLoader \}\): two loaders for one resource/,
    );
  });

  it.each([
    ['a rule without an action', { roles: { viewer: [{ subject: 'Post' }] } }, /roles\.viewer has a rule without a string action and subject/],
    ['rules that are not a list', { roles: { viewer: 'read' } }, /roles\.viewer must be an array of rules or a function/],
    ['a factory that is not a class', { factory: {} }, /factory must be a class/],
  ])('refuses %s in CaslModule.forRoot() with the fix', (_name, options, message) => {
    expect(() => CaslModule.forRoot(options as never)).toThrow(message);
  });
});

describe.each(ADAPTERS)('@Can() and @PermittedFields() answers in the configured error format (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    const { CASL_AUTH_OPTIONS, CASL_OPTIONS, CaslPostsController } = await import('./fixtures/casl-app.js');
    app = await createApp(adapter, {
      imports: [caslTestModule(table, CASL_OPTIONS, [CaslPostsController], { ...CASL_AUTH_OPTIONS, errorResponse: 'problem+json' })],
    });
  });
  afterAll(() => app.close());

  const patch = async (body: object) =>
    request(app.getHttpServer())
      .patch('/posts/1')
      .set('Authorization', `Bearer ${await signTestToken(BOB)}`)
      .send(body);
  const problem = (res: request.Response) => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/);
    return JSON.parse(res.text) as unknown;
  };

  it('writes the forbidden fields and a refused condition as problem+json', async () => {
    const fields = await patch({ title: 'x', teamId: 9 });
    expect(fields.status).toBe(403);
    expect(problem(fields)).toEqual({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Forbidden fields: teamId', code: 'forbidden' });
    const other = await request(app.getHttpServer())
      .patch('/posts/3')
      .set('Authorization', `Bearer ${await signTestToken(BOB)}`)
      .send({ title: 'x' });
    expect(problem(other)).toEqual({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'Not allowed by the access rules', code: 'forbidden' });
  });
});
