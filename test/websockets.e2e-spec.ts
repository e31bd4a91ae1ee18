import type { INestApplication } from '@nestjs/common';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import request from 'supertest';
import { Module } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Auth, AuthModule, Clock } from '../lib/index.js';
import { JWT_OPTIONS } from './fixtures/jwt-app.js';
import {
  APP_ORIGIN,
  MembersGateway,
  sessionSocketTestModule,
  websocketTestModule,
} from './fixtures/websocket-app.js';
import { loginAs } from './helpers/sessions.js';
import { BOB, InMemoryUsers } from './helpers/users.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { FakeClock } from '../lib/testing/index.js';
import { signTestToken } from './helpers/tokens.js';

/** What a message produced: the handler's acknowledgement, or the `exception` event Nest emits. */
type Outcome = { ack: unknown } | { exception: unknown };

describe.each(ADAPTERS)('WebSocket gateways over socket.io (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  const clock = new FakeClock(Date.now());
  const sockets: Socket[] = [];
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    app = await createApp(
      adapter,
      { imports: [websocketTestModule()] },
      {
        override: (builder) => builder.overrideProvider(Clock).useValue(clock),
      },
    );
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    alice = await signTestToken(
      { sub: 'u-alice', roles: ['admin'], scope: 'items:read items:write' },
      { now: clock.now() },
    );
    bob = await signTestToken({ sub: 'u-bob', roles: ['user'], scope: 'items:read' }, { now: clock.now() });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(() => app.close());

  function open(namespace = '/', options: Partial<ManagerOptions & SocketOptions> = {}): Socket {
    const socket = io(`${url}${namespace}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...options,
    });
    sockets.push(socket);
    return socket;
  }

  /** Resolves once connected, or with socket.io's `connect_error` (message and `data`) when refused. */
  function connect(namespace = '/', options: Partial<ManagerOptions & SocketOptions> = {}) {
    const socket = open(namespace, options);
    return new Promise<{ socket: Socket; refused?: { message: string; data: unknown } }>((resolve) => {
      socket.once('connect', () => resolve({ socket }));
      socket.once('connect_error', (error: Error & { data?: unknown }) =>
        resolve({ socket, refused: { message: error.message, data: error.data } }),
      );
    });
  }

  async function connected(
    namespace = '/',
    options: Partial<ManagerOptions & SocketOptions> = {},
  ): Promise<Socket> {
    const { socket, refused } = await connect(namespace, options);
    if (refused) throw new Error(`refused: ${refused.message}`);
    return socket;
  }

  /** Sends one message; a bounded wait (not a clock) turns a lost answer into a failure, never a hang. */
  function call(socket: Socket, event: string, data?: unknown): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const onException = (exception: unknown) => {
        clearTimeout(timer);
        resolve({ exception });
      };
      const timer = setTimeout(() => {
        socket.off('exception', onException);
        reject(new Error(`no answer to ${event}`));
      }, 5000);
      socket.once('exception', onException);
      socket.emit(event, data, (ack: unknown) => {
        clearTimeout(timer);
        socket.off('exception', onException);
        resolve({ ack });
      });
    });
  }

  const bearer = (token: string) => ({ extraHeaders: { authorization: `Bearer ${token}` } });

  describe('issue 18 item 6: the principal belongs to one message', () => {
    it('a @Public() handler never sees the principal of an earlier guarded message, even after that token expired', async () => {
      const token = await signTestToken({ sub: 'u-bob', roles: ['user'] }, { now: clock.now(), expiresIn: 60 });
      const socket = await connected('/', bearer(token));
      expect(await call(socket, 'whoami')).toEqual({ ack: expect.objectContaining({ id: 'u-bob' }) });
      expect(await call(socket, 'public:whoami')).toEqual({ ack: { id: null } });
      expect(await call(socket, 'public:whoami', { any: 'payload' })).toEqual({ ack: { id: null } });
      clock.advance(120_000);
      try {
        expect(await call(socket, 'public:whoami')).toEqual({ ack: { id: null } });
        expect(await call(socket, 'public:whoami', { roomId: 'r1' })).toEqual({ ack: { id: null } });
      } finally {
        clock.advance(-120_000);
      }
    });

    it("a @Public() handler on a connection-checked gateway does not see the connection's caller either", async () => {
      const socket = await connected('/members', { auth: { token: bob } });
      expect(await call(socket, 'whoami')).toEqual({ ack: { id: 'u-bob' } });
      expect(await call(socket, 'public:whoami')).toEqual({ ack: { id: null } });
    });

    it('concurrent guarded and public messages of one socket each see only their own caller', async () => {
      const socket = await connected('/', bearer(bob));
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call(socket, i % 2 ? 'public:whoami' : 'hello')),
      );
      outcomes.forEach((outcome, i) => expect(outcome).toEqual({ ack: i % 2 ? { id: null } : { hello: 'u-bob' } }));
    });
  });

  describe('allowed', () => {
    it('answers a guarded message for a token in the Authorization header, @CurrentUser() injected', async () => {
      const socket = await connected('/', bearer(bob));
      expect(await call(socket, 'whoami')).toEqual({
        ack: { id: 'u-bob', roles: ['user'], strategy: 'jwt' },
      });
    });

    it('accepts the token in the socket.io auth payload (the browser-friendly way)', async () => {
      const socket = await connected('/', { auth: { token: bob } });
      expect(await call(socket, 'whoami')).toEqual({
        ack: { id: 'u-bob', roles: ['user'], strategy: 'jwt' },
      });
    });

    it('accepts the token in the access_token query parameter', async () => {
      const socket = await connected('/', { query: { access_token: bob } });
      expect(await call(socket, 'whoami')).toEqual({
        ack: { id: 'u-bob', roles: ['user'], strategy: 'jwt' },
      });
    });

    it('accepts a cookie read by a custom strategy', async () => {
      const socket = await connected('/', { extraHeaders: { cookie: `theme=dark; access_token=${bob}` } });
      expect(await call(socket, 'whoami')).toEqual({
        ack: { id: 'u-bob', roles: ['user'], strategy: 'cookie-jwt' },
      });
    });

    it('answers a @Public() message without credentials', async () => {
      const socket = await connected('/');
      expect(await call(socket, 'ping')).toEqual({ ack: 'pong' });
    });

    it('lets an anonymous socket into an @OptionalAuth() message, and knows a signed-in one', async () => {
      expect(await call(await connected('/'), 'hello')).toEqual({ ack: { hello: 'stranger' } });
      expect(await call(await connected('/', { auth: { token: bob } }), 'hello')).toEqual({
        ack: { hello: 'u-bob' },
      });
    });

    it('runs a message whose role and scope the token holds', async () => {
      const socket = await connected('/', bearer(alice));
      expect(await call(socket, 'admin:stats')).toEqual({ ack: { sockets: 1 } });
      expect(await call(socket, 'items:add', { name: 'fig' })).toEqual({ ack: { added: 'fig' } });
    });
  });

  describe('unauthenticated', () => {
    it('emits an exception with UNAUTHENTICATED for a guarded message without credentials', async () => {
      const socket = await connected('/');
      expect(await call(socket, 'whoami')).toEqual({
        exception: {
          status: 'error',
          statusCode: 401,
          code: 'UNAUTHENTICATED',
          message: 'Authentication required',
        },
      });
    });

    it.each([
      ['header', (token: string) => bearer(token)],
      ['auth payload', (token: string) => ({ auth: { token } })],
      ['query', (token: string) => ({ query: { access_token: token } })],
      ['cookie', (token: string) => ({ extraHeaders: { cookie: `access_token=${token}` } })],
    ])('rejects a bad token sent by %s with our message only', async (_, options) => {
      const socket = await connected('/', options('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'));
      expect(await call(socket, 'whoami')).toEqual({
        exception: {
          status: 'error',
          statusCode: 401,
          code: 'UNAUTHENTICATED',
          message: 'The access token is invalid',
        },
      });
    });

    it('rejects a bad token on an @OptionalAuth() message instead of treating the socket as anonymous', async () => {
      const socket = await connected('/', { auth: { token: 'not-a-jwt' } });
      expect(await call(socket, 'hello')).toEqual({
        exception: expect.objectContaining({
          code: 'UNAUTHENTICATED',
          message: 'The access token is malformed',
        }),
      });
    });

    it('re-checks the token on every message: an expired token stops working on an open socket', async () => {
      const token = await signTestToken(
        { sub: 'u-bob', roles: ['user'] },
        { now: clock.now(), expiresIn: 60 },
      );
      const socket = await connected('/', bearer(token));
      expect(await call(socket, 'whoami')).toEqual({ ack: expect.objectContaining({ id: 'u-bob' }) });
      clock.advance(120_000);
      try {
        expect(await call(socket, 'whoami')).toEqual({
          exception: {
            status: 'error',
            statusCode: 401,
            code: 'UNAUTHENTICATED',
            message: 'The access token expired',
          },
        });
        expect(await call(socket, 'ping')).toEqual({ ack: 'pong' });
      } finally {
        clock.advance(-120_000);
      }
    });

    it('emits SERVICE_UNAVAILABLE with retryAfter when a strategy cannot decide, leaking nothing', async () => {
      const socket = await connected('/', { extraHeaders: { 'x-outage': '1' } });
      const outcome = await call(socket, 'fragile');
      expect(outcome).toEqual({
        exception: {
          status: 'error',
          statusCode: 503,
          code: 'SERVICE_UNAVAILABLE',
          message: 'Authentication is temporarily unavailable',
          retryAfter: 30,
        },
      });
      expect(JSON.stringify(outcome)).not.toMatch(/ECONNREFUSED|secret-store/);
    });

    it('keeps the socket open after a denial, so the client can go on', async () => {
      const socket = await connected('/');
      await call(socket, 'whoami');
      expect(socket.connected).toBe(true);
      expect(await call(socket, 'ping')).toEqual({ ack: 'pong' });
    });
  });

  describe('forbidden', () => {
    it('emits FORBIDDEN for a missing role', async () => {
      const socket = await connected('/', bearer(bob));
      expect(await call(socket, 'admin:stats')).toEqual({
        exception: { status: 'error', statusCode: 403, code: 'FORBIDDEN', message: 'Insufficient role' },
      });
    });

    it('emits FORBIDDEN with the required scopes for a missing scope', async () => {
      const socket = await connected('/', bearer(bob));
      expect(await call(socket, 'items:add', { name: 'fig' })).toEqual({
        exception: {
          status: 'error',
          statusCode: 403,
          code: 'FORBIDDEN',
          message: 'Insufficient scope',
          scopes: ['items:write'],
        },
      });
    });

    it("applies @AllowFrom() to the socket's peer address", async () => {
      const socket = await connected('/');
      expect(await call(socket, 'loopback')).toEqual({ ack: 'local' });
      expect(await call(socket, 'intranet')).toEqual({
        exception: {
          status: 'error',
          statusCode: 403,
          code: 'FORBIDDEN',
          message: 'Access from this network address is not allowed',
        },
      });
    });

    it('checks ownership against the message payload, @OwnedResource() injected', async () => {
      const socket = await connected('/', bearer(bob));
      expect(await call(socket, 'room:rename', { roomId: 'r2', name: 'Bob HQ' })).toEqual({
        ack: { id: 'r2', name: 'Bob HQ' },
      });
      expect(await call(socket, 'room:rename', { roomId: 'r1', name: 'Mine' })).toEqual({
        exception: expect.objectContaining({
          statusCode: 403,
          code: 'FORBIDDEN',
          message: 'Only the owner may do this',
        }),
      });
      expect(await call(socket, 'room:rename', { roomId: 'nope', name: 'x' })).toEqual({
        exception: expect.objectContaining({ statusCode: 404, code: 'NOT_FOUND' }),
      });
      expect(await call(socket, 'room:rename', 'r2')).toEqual({
        exception: expect.objectContaining({ code: 'NOT_FOUND' }),
      });
    });

    it('gives concurrent messages of one socket their own resource', async () => {
      const socket = await connected('/', bearer(alice));
      const [a, b] = await Promise.all([
        call(socket, 'room:rename', { roomId: 'r1', name: 'One' }),
        call(socket, 'room:rename', { roomId: 'r2', name: 'Two' }),
      ]);
      expect([a, b]).toEqual([{ ack: { id: 'r1', name: 'One' } }, { ack: { id: 'r2', name: 'Two' } }]);
    });
  });

  describe('connection check (WsConnectionAuth middleware)', () => {
    it('refuses a socket without credentials with connect_error UNAUTHENTICATED', async () => {
      const { refused } = await connect('/members');
      expect(refused).toEqual({
        message: 'Authentication required',
        data: {
          status: 'error',
          statusCode: 401,
          code: 'UNAUTHENTICATED',
          message: 'Authentication required',
        },
      });
    });

    it('refuses a socket with a bad token', async () => {
      const { refused } = await connect('/members', { auth: { token: 'not-a-jwt' } });
      expect(refused?.data).toEqual(
        expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'The access token is malformed' }),
      );
    });

    it('admits a socket with a valid token; handleConnection sees the verified caller', async () => {
      const gateway = app.get(MembersGateway);
      gateway.sockets.length = 0;
      const socket = await connected('/members', { auth: { token: bob } });
      expect(gateway.sockets.map((s) => gateway.callerOf(s))).toEqual([
        expect.objectContaining({ id: 'u-bob', strategy: 'jwt' }),
      ]);
      expect(await call(socket, 'whoami')).toEqual({ ack: { id: 'u-bob' } });
    });

    it("forgets the socket's caller once its token fails a later check", async () => {
      const gateway = app.get(MembersGateway);
      gateway.sockets.length = 0;
      const token = await signTestToken(
        { sub: 'u-bob', roles: ['user'] },
        { now: clock.now(), expiresIn: 60 },
      );
      const socket = await connected('/members', { auth: { token } });
      expect(gateway.callerOf(gateway.sockets[0])).toEqual(expect.objectContaining({ id: 'u-bob' }));
      clock.advance(120_000);
      try {
        expect(await call(socket, 'whoami')).toEqual({
          exception: expect.objectContaining({ message: 'The access token expired' }),
        });
        expect(gateway.callerOf(gateway.sockets[0])).toBeUndefined();
      } finally {
        clock.advance(-120_000);
      }
    });

    it("refuses a socket whose caller lacks the gateway's class-level role with FORBIDDEN", async () => {
      const { refused } = await connect('/admin', bearer(bob));
      expect(refused?.data).toEqual({
        status: 'error',
        statusCode: 403,
        code: 'FORBIDDEN',
        message: 'Insufficient role',
      });
      const socket = await connected('/admin', bearer(alice));
      expect(await call(socket, 'whoami')).toEqual({ ack: { id: 'u-alice' } });
    });
  });
});

describe.each(ADAPTERS)('WebSocket gateways with cookie sessions (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    app = await createApp(adapter, { imports: [sessionSocketTestModule()] });
    await app.get(InMemoryUsers).add(BOB);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/notes`;
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(() => app.close());

  function connect(headers: Record<string, string>) {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: headers,
    });
    sockets.push(socket);
    return new Promise<{ socket: Socket; refused?: Error }>((resolve) => {
      socket.once('connect', () => resolve({ socket }));
      socket.once('connect_error', (refused: Error) => resolve({ socket, refused }));
    });
  }

  function whoami(socket: Socket): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), 5000);
      socket.once('exception', (exception: unknown) => {
        clearTimeout(timer);
        resolve({ exception });
      });
      socket.emit('whoami', undefined, (ack: unknown) => {
        clearTimeout(timer);
        resolve({ ack });
      });
    });
  }

  it('authenticates a socket by the session cookie of its handshake, until the session ends', async () => {
    const session = await loginAs(app, BOB);
    const { socket, refused } = await connect({ cookie: session.cookie, origin: APP_ORIGIN });
    expect(refused).toBeUndefined();
    expect(await whoami(socket)).toEqual({ ack: { id: 'u-bob', strategy: 'session' } });
    const logout = await request(app.getHttpServer())
      .post('/auth/session/logout')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf);
    expect(logout.status).toBeLessThan(300);
    expect(await whoami(socket)).toEqual({
      exception: expect.objectContaining({ statusCode: 401, code: 'UNAUTHENTICATED' }),
    });
  });

  it('refuses a handshake from another site (cross-site WebSocket hijacking)', async () => {
    const session = await loginAs(app, BOB);
    const { refused } = await connect({ cookie: session.cookie, origin: 'https://evil.example' });
    expect(refused).toBeInstanceOf(Error);
  });
});

describe('WebSocket boot-time checks', () => {
  it('fails at boot for an unknown strategy on a gateway handler, naming it', async () => {
    @WebSocketGateway()
    class TypoGateway {
      @Auth('jwtt')
      @SubscribeMessage('x')
      x(): string {
        return 'x';
      }
    }
    @Module({ imports: [AuthModule.forRoot(JWT_OPTIONS)], providers: [TypoGateway] })
    class TypoModule {}
    await expect(createApp('express', { imports: [TypoModule] })).rejects.toThrow(/TypoGateway\.x/);
  });
});
