import SwaggerParser from '@apidevtools/swagger-parser';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder } from '@nestjs/swagger';
import request from 'supertest';
import { describeRoutes } from '../lib/index.js';
import { createAuthDocument } from '../lib/openapi/index.js';
import { CASL_AUTH_OPTIONS, CASL_OPTIONS, CaslPostsController, caslTestModule, PostsTable } from './fixtures/casl-app.js';
import { CaptureLogger } from './helpers/capture-logger.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken } from './helpers/tokens.js';

const table = new PostsTable();
beforeAll(() => table.create());
afterAll(() => table.drop());

describe.each(ADAPTERS)('@Can() in denial explanations, the manifest and OpenAPI (%s)', (adapter) => {
  let app: INestApplication;
  const logs = new CaptureLogger();
  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [caslTestModule(table, CASL_OPTIONS, [CaslPostsController], { ...CASL_AUTH_OPTIONS, explainDenials: true })] },
      { beforeInit: (nest) => nest.useLogger(logs) },
    );
  });
  afterAll(() => app.close());
  beforeEach(() => logs.clear());

  const denied = () => logs.at('debug', 'denied ');
  const patch = async (claims: Record<string, unknown>, path: string) =>
    request(app.getHttpServer())
      .patch(path)
      .set('Authorization', `Bearer ${await signTestToken(claims)}`)
      .send({ title: 'x' });

  it('names the condition and the resource’s value, in the log and never in the body', async () => {
    const res = await patch({ sub: 'u-bob', preferred_username: 'bob', roles: ['editor'], teamId: 3 }, '/posts/3');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ statusCode: 403, message: 'Not allowed by the access rules', error: 'Forbidden' });
    expect(res.text).not.toContain('teamId');
    expect(denied()).toEqual([
      'denied PATCH /posts/:id (CaslPostsController.update): Not allowed by the access rules: needs update on Post where ' +
        'teamId = 3 (rules of bob); this Post has teamId = 7; principal bob (jwt) has nothing relevant',
    ]);
  });

  it('names a cannot rule that decided, and a caller without any rule', async () => {
    expect((await patch({ sub: 'u-sam', roles: ['editor'], teamId: 3, suspended: true }, '/posts/1')).status).toBe(403);
    expect((await patch({ sub: 'u-nobody' }, '/posts/1')).status).toBe(403);
    expect(denied()).toEqual([
      expect.stringContaining('needs update on Post, but a cannot rule of u-sam forbids it;'),
      expect.stringContaining('needs update on Post; no rule of u-nobody (roles []) allows it;'),
    ]);
  });

  it('lists @Can() in the route manifest', () => {
    const rows = describeRoutes(app).filter((row) => row.handler.startsWith('CaslPostsController.'));
    const can = Object.fromEntries(rows.map((row) => [`${row.method} ${row.path}`, row.can]));
    expect(can).toEqual({
      'GET /posts': { action: 'read', subject: 'Post', resource: undefined },
      'GET /posts/filter': { action: 'read', subject: 'Post', resource: undefined },
      'GET /posts/prisma-where': { action: 'read', subject: 'Post', resource: undefined },
      'GET /posts/:id': { action: 'read', subject: 'Post', resource: 'PostLoader' },
      'PATCH /posts/:id': { action: 'update', subject: 'Post', resource: 'PostLoader' },
      'POST /posts': { action: 'create', subject: 'Post', resource: undefined },
      'PUT /posts/:id/authored': { action: 'update', subject: 'Post', resource: 'PostAuthorship' },
      'GET /posts/roles/editor': undefined,
    });
  });

  it('documents @Can() as x-required-ability beside the other x- extensions, in a valid document', async () => {
    const document = createAuthDocument(app, new DocumentBuilder().setTitle('casl').build());
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    const ext = (operation: object | undefined, name: string) => (operation as Record<string, unknown>)[name];
    const update = document.paths['/posts/{id}'].patch!;
    expect(ext(update, 'x-required-ability')).toEqual({ action: 'update', subject: 'Post', conditions: true });
    expect(Object.keys(update.responses)).toEqual(expect.arrayContaining(['401', '403', '404']));
    expect((update.responses['403'] as { description: string }).description).toBe(
      'Forbidden: the caller is authenticated but lacks a rule allowing update on this Post.',
    );
    expect(ext(document.paths['/posts'].get!, 'x-required-ability')).toEqual({ action: 'read', subject: 'Post', conditions: false });
    const authored = document.paths['/posts/{id}/authored'].put!;
    expect(ext(authored, 'x-required-ability')).toEqual({ action: 'update', subject: 'Post', conditions: true });
    expect(ext(authored, 'x-required-owner')).toEqual({ bypassRoles: ['admin'] });
    expect(ext(document.paths['/posts/roles/editor'].get!, 'x-required-ability')).toBeUndefined();
  });
});
