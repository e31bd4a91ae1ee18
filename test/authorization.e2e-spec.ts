import { Controller, Get, type INestApplication, SetMetadata } from '@nestjs/common';
import request from 'supertest';
import type { JWTPayload } from 'jose';
import { AuthConfigurationError, type AuthModuleOptions } from '../lib/index.js';
import { PERMISSIONS_METADATA } from '../lib/policy/policy-metadata.js';
import {
  AUTHORIZATION_OPTIONS,
  authorizationTestModule,
  NoteOwnership,
  PostOwnership,
} from './fixtures/authorization-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

const CHALLENGE = 'Bearer realm="test"';
const insufficientScope = (scope: string) =>
  `Bearer realm="test", error="insufficient_scope", error_description="The access token lacks a required scope", scope="${scope}"`;

/** Principals of the fixture app (see `AUTHORIZATION_OPTIONS` for what each role implies and grants). */
const ALICE = { sub: 'u-alice', roles: ['viewer'] };
const BOB = { sub: 'u-bob', roles: ['viewer'] };
const EDITOR = { sub: 'u-edith', roles: ['editor'] };
const AUDITOR = { sub: 'u-audrey', roles: ['auditor'] };
const ADMIN = { sub: 'u-root', roles: ['admin'] };
const NOBODY = { sub: 'u-nobody' };

describe.each(ADAPTERS)('authorization (%s)', (adapter) => {
  let app: INestApplication;
  let posts: PostOwnership;
  let notes: NoteOwnership;
  const tokens = new Map<string, string>();

  /** `Authorization` header for a token with these claims (signed once per distinct claim set). */
  async function bearer(claims: JWTPayload): Promise<string> {
    const key = JSON.stringify(claims);
    if (!tokens.has(key)) tokens.set(key, await signTestToken(claims));
    return `Bearer ${tokens.get(key)}`;
  }
  const http = () => request(app.getHttpServer());
  const get = async (path: string, claims?: JWTPayload) => {
    const req = http().get(path);
    return claims ? req.set('Authorization', await bearer(claims)) : req;
  };

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [authorizationTestModule()] });
    posts = app.get(PostOwnership);
    notes = app.get(NoteOwnership);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    posts.calls = 0;
    notes.calls = 0;
  });

  function expectForbidden(res: request.Response, message: string) {
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ statusCode: 403, message, error: 'Forbidden' });
    expect(res.headers['www-authenticate']).toBeUndefined();
  }

  describe('unauthenticated callers get 401, never 403', () => {
    const protectedRoutes: [string, string][] = [
      ['get', '/roles/admin'],
      ['get', '/roles/viewer'],
      ['get', '/roles/any'],
      ['get', '/admin/dashboard'],
      ['get', '/admin/overview'],
      ['get', '/admin/tasks'],
      ['get', '/perm/read'],
      ['get', '/perm/secret'],
      ['get', '/perm/all-of'],
      ['get', '/perm/check'],
      ['get', '/reports'],
      ['get', '/reports/export'],
      ['get', '/items'],
      ['post', '/items'],
      ['get', '/items/export'],
      ['get', '/open/locked'],
      ['get', '/open/mfa'],
      ['get', '/posts/1'],
      ['get', '/posts/does-not-exist'],
      ['delete', '/posts/1'],
      ['put', '/posts/1'],
      ['get', '/notes/n1'],
      ['post', '/combined/1'],
    ];

    it.each(protectedRoutes)('%s %s without credentials → 401 with the challenge', async (method, path) => {
      const res = await (http() as unknown as Record<string, (p: string) => request.Test>)[method](path);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      expect(res.body).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
    });

    it.each(protectedRoutes)('%s %s with an invalid token → 401 invalid_token', async (method, path) => {
      const forged = (await signTestToken(ADMIN)).slice(0, -4) + 'AAAA';
      const res = await (http() as unknown as Record<string, (p: string) => request.Test>)[method](path).set(
        'Authorization',
        `Bearer ${forged}`,
      );
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="test", error="invalid_token", error_description="The access token is invalid"',
      );
    });

    it('never asks the ownership resolver about anonymous callers (no existence oracle)', async () => {
      expect((await get('/posts/does-not-exist')).status).toBe(401);
      expect((await get('/posts/1')).status).toBe(401);
      expect((await get('/notes/n1')).status).toBe(401);
      expect(posts.calls).toBe(0);
      expect(notes.calls).toBe(0);
    });
  });

  describe('@Roles(): any of, with the hierarchy', () => {
    it.each<[string, JWTPayload, number]>([
      ['/roles/admin', ADMIN, 200],
      ['/roles/admin', EDITOR, 403],
      ['/roles/admin', ALICE, 403],
      ['/roles/admin', NOBODY, 403],
      // viewer is implied by editor, auditor and (through both) admin
      ['/roles/viewer', ALICE, 200],
      ['/roles/viewer', EDITOR, 200],
      ['/roles/viewer', AUDITOR, 200],
      ['/roles/viewer', ADMIN, 200],
      ['/roles/viewer', NOBODY, 403],
      ['/roles/viewer', { sub: 'u-x', roles: ['Viewer'] }, 403],
      ['/roles/viewer', { sub: 'u-x', roles: ['intern'] }, 403],
      ['/roles/any', EDITOR, 200],
      ['/roles/any', AUDITOR, 200],
      ['/roles/any', ADMIN, 200],
      ['/roles/any', ALICE, 403],
      ['/roles/any', { sub: 'u-x', roles: ['intern', 'auditor'] }, 200],
    ])('%s as %j → %i', async (path, claims, status) => {
      const res = await get(path, claims);
      expect(res.status).toBe(status);
      if (status === 403) expectForbidden(res, 'Insufficient role');
      else expect(res.body).toEqual({ route: path.slice(1) });
    });

    it('on a class applies to every method; a method @Roles() replaces it', async () => {
      expect((await get('/admin/dashboard', ADMIN)).status).toBe(200);
      expectForbidden(await get('/admin/dashboard', EDITOR), 'Insufficient role');
      // method-level @Roles('viewer') wins over the class-level @Roles('admin')
      expect((await get('/admin/overview', ALICE)).body).toEqual({ route: 'admin/overview' });
    });

    it('on a class composes with a method @Scopes(): both apply', async () => {
      expect((await get('/admin/tasks', { ...ADMIN, scope: 'admin:write' })).status).toBe(200);
      const noScope = await get('/admin/tasks', ADMIN);
      expect(noScope.status).toBe(403);
      expect(noScope.headers['www-authenticate']).toBe(insufficientScope('admin:write'));
      expectForbidden(await get('/admin/tasks', { ...EDITOR, scope: 'admin:write' }), 'Insufficient role');
    });

    it('@Public() on a method of a @Roles() controller is public', async () => {
      const res = await http().get('/admin/status');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ route: 'admin/status' });
      expect((await get('/admin/status', ALICE)).status).toBe(200);
    });

    it('a rule on a method of a @Public() controller protects that method', async () => {
      expect((await http().get('/open')).status).toBe(200);
      expect((await http().get('/open/locked')).status).toBe(401);
      expectForbidden(await get('/open/locked', ALICE), 'Insufficient role');
      expect((await get('/open/locked', ADMIN)).body).toEqual({ route: 'open/locked' });
    });
  });

  describe('@Permissions(): all of, from roles and from the principal, with wildcards', () => {
    it.each<[string, JWTPayload, number]>([
      ['/perm/read', ALICE, 200], // viewer: posts:read
      ['/perm/read', EDITOR, 200], // editor: posts:* (and viewer's posts:read)
      ['/perm/read', ADMIN, 200], // admin: *
      ['/perm/read', NOBODY, 403],
      ['/perm/delete', ALICE, 403],
      ['/perm/delete', EDITOR, 200],
      ['/perm/delete', AUDITOR, 403],
      // a trailing `*` covers deeper segments too
      ['/perm/comments-delete', EDITOR, 200],
      ['/perm/comments-delete', ALICE, 403],
      // separators are exact: posts:* never grants postsecret:read
      ['/perm/secret', EDITOR, 403],
      ['/perm/secret', ADMIN, 200],
      // grants held by the principal itself
      ['/perm/delete', { sub: 'u-x', permissions: ['posts:*'] }, 200],
      ['/perm/secret', { sub: 'u-x', permissions: ['posts:*'] }, 403],
      ['/perm/secret', { sub: 'u-x', permissions: ['*'] }, 200],
      ['/perm/delete', { sub: 'u-x', permissions: ['posts:delete'] }, 200],
      ['/perm/delete', { sub: 'u-x', permissions: ['Posts:delete'] }, 403],
      // malformed grants in a token grant nothing
      ['/perm/delete', { sub: 'u-x', permissions: ['posts*'] }, 403],
      ['/perm/secret', { sub: 'u-x', permissions: ['post*'] }, 403],
      ['/perm/delete', { sub: 'u-x', permissions: ['posts:de*'] }, 403],
      ['/perm/delete', { sub: 'u-x', permissions: ['posts::delete'] }, 403],
      ['/perm/delete', { sub: 'u-x', permissions: 'posts:delete' }, 200],
      ['/perm/delete', { sub: 'u-x', permissions: [42, { p: 'posts:*' }] }, 403],
      // all of: posts:read and reports:annual:read
      ['/perm/all-of', ALICE, 403],
      ['/perm/all-of', EDITOR, 403],
      ['/perm/all-of', AUDITOR, 200], // viewer's posts:read + auditor's reports:*:read
      ['/perm/all-of', ADMIN, 200],
      ['/perm/all-of', { ...ALICE, permissions: ['reports:annual:read'] }, 200], // role grant + own grant
      ['/perm/all-of', { sub: 'u-x', permissions: ['reports:*:read'] }, 403],
    ])('%s as %j → %i', async (path, claims, status) => {
      const res = await get(path, claims);
      expect(res.status).toBe(status);
      if (status === 403) expectForbidden(res, 'Insufficient permissions');
      else expect(res.body).toEqual({ route: path.slice(1) });
    });

    it('on a class applies to every method; a method @Permissions() replaces it', async () => {
      expect((await get('/reports', AUDITOR)).status).toBe(200);
      expectForbidden(await get('/reports', ALICE), 'Insufficient permissions');
      // reports:*:read does not grant reports:export (two segments, not three)
      expectForbidden(await get('/reports/export', AUDITOR), 'Insufficient permissions');
      expect((await get('/reports/export', ADMIN)).status).toBe(200);
      const exporter = { sub: 'u-x', permissions: ['reports:export'] };
      expect((await get('/reports/export', exporter)).body).toEqual({ route: 'reports/export' });
      expectForbidden(await get('/reports', exporter), 'Insufficient permissions');
    });

    it('hasPermission()/hasRole() answer handlers with the same semantics', async () => {
      expect((await get('/perm/check', EDITOR)).body).toEqual({
        deletePosts: true,
        readSecret: false,
        editor: true,
        viewerOrAuditor: true,
      });
      expect((await get('/perm/check', ADMIN)).body).toEqual({
        deletePosts: true,
        readSecret: true,
        editor: true,
        viewerOrAuditor: true,
      });
      expect((await get('/perm/check', { sub: 'u-x', roles: ['intern'], permissions: ['posts:delete'] })).body).toEqual({
        deletePosts: true,
        readSecret: false,
        editor: false,
        viewerOrAuditor: false,
      });
    });
  });

  describe('@Scopes(): all of, RFC 6750 insufficient_scope', () => {
    it('grants a token holding the scope, in `scope` or `scp`', async () => {
      expect((await get('/items', { ...ALICE, scope: 'items:read' })).body).toEqual({ route: 'items' });
      expect((await get('/items', { ...ALICE, scp: ['items:read'] })).status).toBe(200);
      expect((await get('/items/export', { ...ALICE, scope: 'items:export items:read' })).status).toBe(200);
    });

    it.each<[string, JWTPayload, string]>([
      ['/items', ALICE, 'items:read'],
      ['/items', { ...ALICE, scope: 'items:write' }, 'items:read'],
      ['/items', { ...ALICE, scope: 'Items:Read' }, 'items:read'],
      ['/items', { ...ALICE, scope: 'items' }, 'items:read'],
      ['/items', { ...ALICE, scope: 'items:*' }, 'items:read'],
      ['/items', { ...ADMIN }, 'items:read'], // roles never stand in for scopes
      ['/items', { ...ALICE, permissions: ['*'] }, 'items:read'],
      ['/items/export', { ...ALICE, scope: 'items:read' }, 'items:read items:export'],
      ['/items/export', { ...ALICE, scope: 'items:export' }, 'items:read items:export'],
    ])('%s as %j → 403 with scope="%s"', async (path, claims, scope) => {
      const res = await get(path, claims);
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe(insufficientScope(scope));
      expect(res.body).toEqual({ statusCode: 403, message: 'Insufficient scope', error: 'Forbidden' });
    });

    it('a method @Scopes() replaces the class @Scopes()', async () => {
      const write = await http().post('/items').set('Authorization', await bearer({ ...ALICE, scope: 'items:write' }));
      expect(write.status).toBe(201);
      expect(write.body).toEqual({ route: 'items/create' });
      const readOnly = await http().post('/items').set('Authorization', await bearer({ ...ALICE, scope: 'items:read' }));
      expect(readOnly.status).toBe(403);
      expect(readOnly.headers['www-authenticate']).toBe(insufficientScope('items:write'));
    });
  });

  describe('second factor (@Auth({ mfa: true }))', () => {
    it.each<[JWTPayload, number]>([
      [ALICE, 403],
      [{ ...ALICE, amr: ['pwd'] }, 403],
      [{ ...ALICE, amr: 'otp' }, 403],
      [{ ...ALICE, amr: ['pwd', 'otp'] }, 200],
      [{ ...ALICE, amr: ['mfa'] }, 200],
    ])('as %j → %i', async (claims, status) => {
      const res = await get('/open/mfa', claims);
      expect(res.status).toBe(status);
      if (status === 403) expectForbidden(res, 'A second authentication factor is required');
    });
  });

  describe('@Owner(): unknown → 404, someone else → 403, bypass roles, one load', () => {
    it('gives the owner the resource loaded once, through @OwnedResource()', async () => {
      const res = await get('/posts/1', ALICE);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ post: { id: '1', ownerId: 'u-alice', title: 'Alice writes', load: 1 } });
      expect(posts.calls).toBe(1);
    });

    it("answers 403 on someone else's resource", async () => {
      expectForbidden(await get('/posts/2', ALICE), 'Only the owner may do this');
      expect(posts.calls).toBe(1);
    });

    it('answers 404 on an unknown resource, to the owner-to-be and to bypass roles alike', async () => {
      for (const claims of [ALICE, ADMIN]) {
        const res = await get('/posts/999', claims);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, message: 'Not Found', error: 'Not Found' });
      }
      expect(posts.calls).toBe(2);
    });

    it('lets a bypass role act on any resource, still loading it once', async () => {
      const res = await get('/posts/2', ADMIN);
      expect(res.status).toBe(200);
      expect(res.body.post).toMatchObject({ id: '2', ownerId: 'u-bob', load: 1 });
      expect(posts.calls).toBe(1);
    });

    it('gives no bypass when the route lists none (admin on DELETE)', async () => {
      expectForbidden(await http().delete('/posts/2').set('Authorization', await bearer(ADMIN)), 'Only the owner may do this');
      const own = await http().delete('/posts/2').set('Authorization', await bearer(BOB));
      expect(own.status).toBe(200);
      expect(own.body).toEqual({ deleted: '2' });
      expect(posts.calls).toBe(2);
    });

    it('applies bypass roles through the hierarchy, after @Roles()', async () => {
      const put = async (path: string, claims: JWTPayload) => http().put(path).set('Authorization', await bearer(claims));
      expect((await put('/posts/1', ALICE)).body).toEqual({ updated: '1' });
      expectForbidden(await put('/posts/2', ALICE), 'Only the owner may do this');
      expect((await put('/posts/2', EDITOR)).status).toBe(200); // bypass: ['editor']
      expect((await put('/posts/2', ADMIN)).status).toBe(200); // admin implies editor
      expect((await put('/posts/404', EDITOR)).status).toBe(404);
      expect(posts.calls).toBe(5);
      // failing @Roles() stops before the resolver
      expectForbidden(await put('/posts/1', NOBODY), 'Insufficient role');
      expect(posts.calls).toBe(5);
    });

    it('works on a class with a synchronous resolver', async () => {
      expect((await get('/notes/n1', ALICE)).body).toEqual({ note: { id: 'n1', text: 'alice note' }, id: 'n1' });
      expectForbidden(await get('/notes/n1', BOB), 'Only the owner may do this');
      expect((await get('/notes/n1', { sub: 'u-mod', roles: ['moderator'] })).status).toBe(200);
      expect((await get('/notes/nope', ALICE)).status).toBe(404);
      expect(notes.calls).toBe(4);
    });

    it('compares owner ids exactly', async () => {
      expectForbidden(await get('/posts/1', { sub: 'U-ALICE', roles: ['viewer'] }), 'Only the owner may do this');
      expectForbidden(await get('/posts/1', { sub: 'u-alice ', roles: ['viewer'] }), 'Only the owner may do this');
    });
  });

  describe('every rule at once: roles → permissions → scopes → mfa → ownership', () => {
    const publish = async (id: string, claims: JWTPayload) => http().post(`/combined/${id}`).set('Authorization', await bearer(claims));
    const FULL = { sub: 'u-alice', roles: ['editor'], permissions: ['releases:*'], scope: 'posts:write', amr: ['pwd', 'otp'] };

    it('the first failing check decides the answer', async () => {
      // fails everything: the role check answers
      expectForbidden(await publish('2', { sub: 'u-alice', roles: ['viewer'] }), 'Insufficient role');
      // right role, everything else missing: permissions answer
      expectForbidden(await publish('2', { sub: 'u-alice', roles: ['editor'] }), 'Insufficient permissions');
      // right role and permission: scopes answer
      const scope = await publish('2', { ...FULL, scope: undefined, amr: undefined });
      expect(scope.status).toBe(403);
      expect(scope.headers['www-authenticate']).toBe(insufficientScope('posts:write'));
      // then the second factor
      expectForbidden(await publish('2', { ...FULL, amr: ['pwd'] }), 'A second authentication factor is required');
      expect(posts.calls).toBe(0);
      // then ownership: someone else's post, then an unknown one
      expectForbidden(await publish('2', FULL), 'Only the owner may do this');
      expect((await publish('404', FULL)).status).toBe(404);
      expect(posts.calls).toBe(2);
    });

    it('grants when every check passes, and bypass roles skip only the owner check', async () => {
      const own = await publish('1', FULL);
      expect(own.status).toBe(201);
      expect(own.body).toEqual({ published: '1' });
      const admin = { sub: 'u-root', roles: ['admin'], scope: 'posts:write', amr: ['otp'] };
      expect((await publish('2', admin)).status).toBe(201);
      expect(posts.calls).toBe(2);
      expect((await publish('2', { ...admin, amr: undefined })).status).toBe(403);
    });
  });

  describe('path tricks never reach a protected handler', () => {
    const paths = [
      '/admin/dashboard/',
      '//admin/dashboard',
      '/admin//dashboard',
      '/ADMIN/dashboard',
      '/Admin/Dashboard/',
      '/admin/dashboard%2F',
      '/admin/%64ashboard',
      '/admin/dashboard;x=1',
      '/admin/dashboard%00',
      '/admin/./dashboard',
      '/admin/status/../dashboard',
      '/posts/1/',
      '//posts/1',
      '/posts//1',
      '/roles/admin/',
      '//roles/admin',
      '/open/locked/',
      '//open/locked',
      '/open//locked',
    ];

    it.each(paths)('GET %s without credentials → 401 or 404', async (path) => {
      const res = await http().get(path);
      expect([401, 404]).toContain(res.status);
      expect(posts.calls).toBe(0);
    });

    it.each(paths)('GET %s as a plain viewer → 403 or 404', async (path) => {
      const res = await get(path, BOB);
      expect([403, 404]).toContain(res.status);
    });
  });
});

describe.each(ADAPTERS)('authorization configuration (%s)', (adapter) => {
  async function boot(options: AuthModuleOptions, controllers?: Parameters<typeof authorizationTestModule>[1]) {
    const app = await createApp(adapter, { imports: [authorizationTestModule(options, controllers)] });
    await app.close();
  }

  it('refuses a cycle in the role hierarchy, naming it', async () => {
    const options = { ...AUTHORIZATION_OPTIONS, roles: { hierarchy: { admin: ['editor'], editor: ['viewer'], viewer: ['admin'] } } };
    await expect(boot(options)).rejects.toThrow(AuthConfigurationError);
    await expect(boot(options)).rejects.toThrow('roles.hierarchy has a cycle: admin → editor → viewer → admin.');
  });

  it('refuses a malformed role grant', async () => {
    const options = { ...AUTHORIZATION_OPTIONS, roles: { permissions: { editor: ['posts.*'] } } };
    await expect(boot(options)).rejects.toThrow(/roles\.permissions\.editor: "posts\.\*" uses "\*" inside a segment/);
  });

  it('refuses a wildcard requirement set without the decorator, naming the route', async () => {
    @Controller('bad')
    class BadController {
      @SetMetadata(PERMISSIONS_METADATA, ['posts:*'])
      @Get()
      list() {
        return {};
      }
    }
    await expect(boot(AUTHORIZATION_OPTIONS, [BadController])).rejects.toThrow(
      /@Permissions\(\) on BadController\.list: "posts:\*" contains the wildcard/,
    );
  });
});
