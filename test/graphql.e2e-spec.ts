import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Query, Resolver, ResolveField, Parent, Field, ObjectType, GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { createClient } from 'graphql-ws';
import request from 'supertest';
import WebSocket from 'ws';
import { Auth, AuthModule, Clock, Roles } from '../lib/index.js';
import { graphqlTestModule } from './fixtures/graphql-app.js';
import { JWT_OPTIONS } from './fixtures/jwt-app.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { signTestToken } from './helpers/tokens.js';

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

describe.each(ADAPTERS)('GraphQL resolvers (%s)', (adapter) => {
  let app: INestApplication;
  const clock = new FakeClock(Date.now());
  let alice: string;
  let bob: string;
  let reader: string;

  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [graphqlTestModule()] },
      {
        override: (builder) => builder.overrideProvider(Clock).useValue(clock),
      },
    );
    const now = clock.now();
    alice = await signTestToken(
      { sub: 'u-alice', roles: ['admin'], scope: 'items:read items:write' },
      { now },
    );
    bob = await signTestToken({ sub: 'u-bob', roles: ['user'], scope: 'items:read' }, { now });
    reader = await signTestToken({ sub: 'u-carol', roles: ['user'] }, { now });
  });
  afterAll(() => app.close());

  async function gql(query: string, token?: string, variables?: Record<string, unknown>) {
    let req = request(app.getHttpServer()).post('/graphql').set('Content-Type', 'application/json');
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    const res = await req.send({ query, variables });
    return { status: res.status, body: res.body as GraphQLResponse, headers: res.headers };
  }

  const codes = (body: GraphQLResponse) => body.errors?.map((e) => e.extensions?.code);

  describe('allowed', () => {
    it('answers a query for a caller with a valid token, @CurrentUser() injected', async () => {
      const { status, body } = await gql('{ me { id roles scopes } myId }', bob);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        me: { id: 'u-bob', roles: ['user'], scopes: ['items:read'] },
        myId: 'u-bob',
      });
    });

    it('runs a mutation whose scope the token holds', async () => {
      const { body } = await gql('mutation { addItem(name: "fig") }', alice);
      expect(body).toEqual({ data: { addItem: 'added fig' } });
    });

    it('answers a @Public() query without credentials', async () => {
      const { status, body } = await gql('{ health }');
      expect(status).toBe(200);
      expect(body).toEqual({ data: { health: 'ok' } });
    });

    it('lets anonymous callers into an @OptionalAuth() query, with no caller', async () => {
      const anonymous = await gql('{ posts { id } }');
      expect(anonymous.body).toEqual({ data: { posts: [{ id: '1' }] } });
      const signedIn = await gql('{ posts { id } }', bob);
      expect(signedIn.body).toEqual({ data: { posts: [{ id: '1' }, { id: '2' }] } });
    });
  });

  describe('unauthenticated', () => {
    it('answers UNAUTHENTICATED without a token, with the field path and no data for it', async () => {
      const { status, body } = await gql('{ me { id } }');
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Authentication required',
          path: ['me'],
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      ]);
    });

    it.each([
      ['a malformed token', 'not-a-jwt', 'The access token is malformed'],
      [
        'a token signed with another key',
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
        'The access token is invalid',
      ],
    ])('answers UNAUTHENTICATED for %s, with our message only', async (_, token, message) => {
      const { body } = await gql('{ me { id } }', token);
      expect(body.errors).toEqual([
        expect.objectContaining({ message, extensions: { code: 'UNAUTHENTICATED' } }),
      ]);
    });

    it('answers UNAUTHENTICATED once the token expired (time from the injected Clock)', async () => {
      const token = await signTestToken({ sub: 'u-bob' }, { now: clock.now(), expiresIn: 60 });
      expect((await gql('{ myId }', token)).body).toEqual({ data: { myId: 'u-bob' } });
      clock.advance(120_000);
      try {
        const { body } = await gql('{ myId }', token);
        expect(body.errors).toEqual([
          expect.objectContaining({
            message: 'The access token expired',
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        ]);
      } finally {
        clock.advance(-120_000);
      }
    });

    it('rejects a bad token on an @OptionalAuth() query instead of treating the caller as anonymous', async () => {
      const { body } = await gql('{ posts { id } }', 'not-a-jwt');
      expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    });

    it('denies a mutation without a token', async () => {
      const { body } = await gql('mutation { addItem(name: "fig") }');
      expect(body.data).toBeNull();
      expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    });

    it('sends no HTTP exception details and no challenge header', async () => {
      const { body, headers } = await gql('{ me { id } }');
      const [error] = body.errors!;
      expect(Object.keys(error.extensions!)).toEqual(['code']);
      expect(JSON.stringify(body)).not.toMatch(/statusCode|originalError|stacktrace|AuthError/);
      expect(headers['www-authenticate']).toBeUndefined();
    });
  });

  describe('fail closed', () => {
    it('answers SERVICE_UNAVAILABLE with retryAfter when a strategy cannot decide, leaking nothing', async () => {
      const res = await request(app.getHttpServer())
        .post('/graphql')
        .set('X-Outage', '1')
        .send({ query: '{ fragile }' });
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          message: 'Authentication is temporarily unavailable',
          extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 30 },
        }),
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|secret-store|10\.0\.0\.7/);
    });
  });

  describe('forbidden', () => {
    it('answers FORBIDDEN for a missing role, and allows the role', async () => {
      const denied = await gql('{ userCount }', bob);
      expect(denied.body.errors).toEqual([
        expect.objectContaining({
          message: 'Insufficient role',
          path: ['userCount'],
          extensions: { code: 'FORBIDDEN' },
        }),
      ]);
      expect((await gql('{ userCount }', alice)).body).toEqual({ data: { userCount: 2 } });
    });

    it("applies @AllowFrom() to the HTTP request's peer address", async () => {
      const { body } = await gql('{ intranet }');
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Access from this network address is not allowed',
          extensions: { code: 'FORBIDDEN' },
        }),
      ]);
    });

    it('answers FORBIDDEN with the required scopes for a query', async () => {
      const { body } = await gql('{ items }', reader);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Insufficient scope',
          extensions: { code: 'FORBIDDEN', scopes: ['items:read'] },
        }),
      ]);
      expect((await gql('{ items }', bob)).body).toEqual({ data: { items: ['apple', 'pear'] } });
    });

    it('answers FORBIDDEN for a mutation whose scope the token lacks', async () => {
      const { body } = await gql('mutation { addItem(name: "fig") }', bob);
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['addItem'],
          extensions: { code: 'FORBIDDEN', scopes: ['items:write'] },
        }),
      ]);
    });

    it('keeps the fields the caller may see when another field of the operation is denied', async () => {
      const { status, body } = await gql('{ posts { id titleLength moderationNote } }', bob);
      expect(status).toBe(200);
      expect(body.data).toEqual({
        posts: [
          { id: '1', titleLength: 5, moderationNote: null },
          { id: '2', titleLength: 5, moderationNote: null },
        ],
      });
      // Field resolutions run concurrently: errors arrive in completion order.
      const errors = [...body.errors!].sort((a, b) =>
        JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)),
      );
      expect(errors).toEqual([
        expect.objectContaining({ path: ['posts', 0, 'moderationNote'], extensions: { code: 'FORBIDDEN' } }),
        expect.objectContaining({ path: ['posts', 1, 'moderationNote'], extensions: { code: 'FORBIDDEN' } }),
      ]);
    });

    it('nulls the whole answer when a denied field is non-null (GraphQL null propagation)', async () => {
      const { status, body } = await gql('{ health myId userCount }', bob);
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      expect(codes(body)).toEqual(['FORBIDDEN']);
    });
  });

  describe('field resolvers (fieldResolverEnhancers: guards)', () => {
    it('enforces @Roles() on a field resolver and lets the role through', async () => {
      const { body } = await gql('{ posts { id moderationNote } }', alice);
      expect(body).toEqual({
        data: {
          posts: [
            { id: '1', moderationNote: 'note on 1' },
            { id: '2', moderationNote: 'note on 2' },
          ],
        },
      });
    });

    it('protects an undecorated field resolver with the default strategies, and a @Public() one not at all', async () => {
      const anonymous = await gql('{ posts { id titleLength } }');
      expect(anonymous.body).toEqual({ data: { posts: [{ id: '1', titleLength: 5 }] } });
      const undecorated = await gql('{ posts { id viewer } }');
      expect(undecorated.body.errors).toEqual([
        expect.objectContaining({ path: ['posts', 0, 'viewer'], extensions: { code: 'UNAUTHENTICATED' } }),
      ]);
      const signedIn = await gql('{ posts { viewer } }', bob);
      expect(signedIn.body).toEqual({ data: { posts: [{ viewer: 'u-bob' }, { viewer: 'u-bob' }] } });
    });
  });

  describe('@Owner() with GraphQL arguments', () => {
    it('loads the resource from the arguments for the owner, @OwnedResource() injected', async () => {
      const { body } = await gql('query ($id: ID!) { post(id: $id) { id title ownerId } }', bob, { id: '2' });
      expect(body).toEqual({ data: { post: { id: '2', title: 'Draft', ownerId: 'u-bob' } } });
    });

    it('gives each aliased field of one operation its own resource', async () => {
      const { body } = await gql('{ a: post(id: "1") { id } b: post(id: "2") { id } }', alice);
      expect(body).toEqual({ data: { a: { id: '1' }, b: { id: '2' } } });
    });

    it("answers FORBIDDEN for someone else's resource and NOT_FOUND for an unknown one", async () => {
      const other = await gql('mutation { renamePost(id: "1", title: "Mine now") { title } }', bob);
      expect(other.body.errors).toEqual([
        expect.objectContaining({ message: 'Only the owner may do this', extensions: { code: 'FORBIDDEN' } }),
      ]);
      const unknown = await gql('{ post(id: "404") { id } }', bob);
      expect(unknown.body.errors).toEqual([
        expect.objectContaining({ message: 'Not Found', extensions: { code: 'NOT_FOUND' } }),
      ]);
      const owner = await gql('mutation { renamePost(id: "2", title: "Renamed") { title } }', bob);
      expect(owner.body).toEqual({ data: { renamePost: { title: 'Renamed' } } });
    });
  });
});

describe.each(ADAPTERS)('GraphQL subscriptions over graphql-ws (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [graphqlTestModule(JWT_OPTIONS, { subscriptions: { 'graphql-ws': true } })],
    });
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/graphql`;
  });
  afterAll(() => app.close());

  /** Subscribes and collects what the server sends until it completes (or errors). */
  async function subscribe(
    connectionParams: Record<string, unknown> | undefined,
    query = 'subscription { ticks }',
  ) {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    try {
      return await new Promise<{ next: unknown[]; error?: unknown }>((resolve) => {
        const next: unknown[] = [];
        client.subscribe(
          { query },
          {
            next: (value) => next.push(value),
            error: (error) => resolve({ next, error }),
            complete: () => resolve({ next }),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  it('streams to a caller whose token the connection parameters carry, @CurrentUser() injected', async () => {
    const token = await signTestToken({ sub: 'u-bob', scope: 'items:read' });
    for (const params of [{ authorization: `Bearer ${token}` }, { token }]) {
      expect(await subscribe(params)).toEqual({
        next: [{ data: { ticks: 'tick 1 for u-bob' } }, { data: { ticks: 'tick 2 for u-bob' } }],
      });
    }
  });

  it('refuses a subscription without a token with UNAUTHENTICATED', async () => {
    const { next } = await subscribe(undefined);
    expect(next).toEqual([
      {
        errors: [
          expect.objectContaining({
            message: 'Authentication required',
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        ],
      },
    ]);
  });

  it('refuses a bad token and a missing scope', async () => {
    const bad = await subscribe({ token: 'not-a-jwt' });
    expect(bad.next).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] },
    ]);
    const token = await signTestToken({ sub: 'u-carol' });
    const unscoped = await subscribe({ token });
    expect(unscoped.next).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN', scopes: ['items:read'] } })] },
    ]);
  });
});

describe('GraphQL boot-time checks', () => {
  it('refuses a field resolver with rules when Nest would not run guards on it', async () => {
    await expect(
      createApp('express', { imports: [graphqlTestModule(JWT_OPTIONS, { fieldResolverEnhancers: [] })] }),
    ).rejects.toThrow(
      /PostsResolver\.moderationNote is a field resolver with nest-warden rules.*fieldResolverEnhancers: \['guards'\]/,
    );
  });

  it('fails at boot for an unknown strategy on a resolver, naming it', async () => {
    @ObjectType()
    class Thing {
      @Field() name!: string;
    }
    @Resolver(() => Thing)
    class TypoResolver {
      @Auth('jwtt')
      @Query(() => Thing)
      thing(): Thing {
        return { name: 'x' };
      }
      @Roles('admin')
      @ResolveField(() => String)
      secret(@Parent() thing: Thing): string {
        return thing.name;
      }
    }
    @Module({
      imports: [
        AuthModule.forRoot(JWT_OPTIONS),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          fieldResolverEnhancers: ['guards'],
        }),
      ],
      providers: [TypoResolver],
    })
    class TypoModule {}
    await expect(createApp('express', { imports: [TypoModule] })).rejects.toThrow(/TypoResolver\.thing/);
  });
});
