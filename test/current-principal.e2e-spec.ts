import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Controller, Get, Injectable, type INestApplication, Param } from '@nestjs/common';
import { Args, Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { AuthModule, type AuthModuleOptions, CurrentPrincipal, OptionalAuth, type Principal, Public } from '../lib/index.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './helpers/tokens.js';

const OPTIONS: AuthModuleOptions = {
  jwt: { algorithms: ['HS256'], secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
  resolveUser: (principal: Principal) => ({ id: principal.id, display: `user ${principal.id}` }),
};

/** Lets the test decide when each pending call resumes, so calls of different callers interleave. */
@Injectable()
class Gates {
  private readonly waiting = new Map<string, () => void>();
  wait(key: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
  get pending(): number {
    return this.waiting.size;
  }
  /** Opens every gate, the last one first. */
  openAllReversed(): void {
    const keys = [...this.waiting.keys()].reverse();
    for (const key of keys) {
      this.waiting.get(key)!();
      this.waiting.delete(key);
    }
  }
}

/** A service that needs the caller, several awaits away from the handler. */
@Injectable()
class Audit {
  constructor(
    private readonly caller: CurrentPrincipal,
    private readonly gates: Gates,
  ) {}

  async describe(key?: string): Promise<{ key?: string; id?: string; user?: unknown }> {
    if (key !== undefined) await this.gates.wait(key);
    await Promise.resolve();
    return { key, id: this.caller.principal?.id, user: this.caller.user() };
  }

  author(): string {
    return this.caller.require().id;
  }
}

@Controller()
class AuditController {
  constructor(private readonly audit: Audit) {}

  @Get('whoami/:key')
  whoami(@Param('key') key: string) {
    return this.audit.describe(key);
  }

  @Get('whoami')
  now() {
    return this.audit.describe();
  }

  @Public()
  @Get('public')
  open() {
    return this.audit.describe();
  }

  @OptionalAuth()
  @Get('optional')
  optional() {
    return this.audit.describe();
  }

  @Public()
  @Get('public/author')
  author() {
    return { author: this.audit.author() };
  }
}

const token = (sub: string) => signTestToken({ sub });

describe.each(ADAPTERS)('CurrentPrincipal over HTTP (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AuthModule.forRoot(OPTIONS)], controllers: [AuditController], providers: [Audit, Gates] });
  });
  afterAll(() => app.close());

  it('gives each of 20 interleaved concurrent requests its own caller, in services several awaits deep', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `u-${i}`);
    const tokens = await Promise.all(users.map(token));
    const gates = app.get(Gates);
    const responses = users.map((user, i) =>
      request(app.getHttpServer()).get(`/whoami/${user}`).set('Authorization', `Bearer ${tokens[i]}`).then((res) => res),
    );
    // Every request is parked inside the service; then they resume in the reverse order.
    for (let tries = 0; gates.pending < users.length && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(gates.pending).toBe(users.length);
    gates.openAllReversed();
    for (const [i, res] of (await Promise.all(responses)).entries()) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key: users[i], id: users[i], user: { id: users[i], display: `user ${users[i]}` } });
    }
  });

  it('leaves nothing behind on a kept-alive connection: a public route after a guarded one has no caller', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const server = request.agent(app.getHttpServer());
      const guarded = await server.get('/whoami').set('Authorization', `Bearer ${await token('u-keep')}`).agent(agent);
      expect(guarded.body).toEqual({ id: 'u-keep', user: { id: 'u-keep', display: 'user u-keep' } });
      const open = await server.get('/public').agent(agent);
      expect(open.status).toBe(200);
      expect(open.body).toEqual({});
      const anonymous = await server.get('/optional').agent(agent);
      expect(anonymous.body).toEqual({});
    } finally {
      agent.destroy();
    }
  });

  it('require() outside an authenticated call fails loudly (a 500, the reason in the log), never with another caller', async () => {
    const res = await request(app.getHttpServer()).get('/public/author');
    expect(res.status).toBe(500);
    expect(() => app.get(CurrentPrincipal).require()).toThrow(/found no authenticated caller/);
  });
});

it('costs nothing when no provider injects it: the scope is off', async () => {
  @Controller()
  class Plain {
    @Get('me')
    me() {
      return { ok: true };
    }
  }
  const app = await createApp('express', { imports: [AuthModule.forRoot(OPTIONS)], controllers: [Plain] });
  try {
    expect(app.get(CurrentPrincipal).enabled).toBe(false);
    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${await token('u-1')}`).expect(200);
    expect(app.get(CurrentPrincipal).principal).toBeUndefined();
  } finally {
    await app.close();
  }
});

@ObjectType()
class Whoami {
  @Field({ nullable: true }) key?: string;
  @Field({ nullable: true }) id?: string;
}

@Resolver(() => Whoami)
class WhoamiResolver {
  constructor(private readonly audit: Audit) {}

  @Query(() => Whoami)
  whoami(@Args('key') key: string) {
    return this.audit.describe(key);
  }

  @Public()
  @Query(() => Whoami)
  open() {
    return this.audit.describe();
  }
}

describe.each(ADAPTERS)('CurrentPrincipal in GraphQL resolvers (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [
        AuthModule.forRoot(OPTIONS),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true }),
      ],
      providers: [Audit, Gates, WhoamiResolver],
    });
  });
  afterAll(() => app.close());

  const query = (body: string, bearer?: string) => {
    const req = request(app.getHttpServer()).post('/graphql').send({ query: body });
    return bearer ? req.set('Authorization', `Bearer ${bearer}`) : req;
  };

  it('gives each of 10 interleaved concurrent queries its own caller; a public query has none', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `g-${i}`);
    const tokens = await Promise.all(users.map(token));
    const gates = app.get(Gates);
    const pending = users.map((user, i) => query(`{ whoami(key: "${user}") { key id } }`, tokens[i]).then((res) => res));
    for (let tries = 0; gates.pending < users.length && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
    gates.openAllReversed();
    for (const [i, res] of (await Promise.all(pending)).entries()) {
      expect(res.body).toEqual({ data: { whoami: { key: users[i], id: users[i] } } });
    }
    const open = await query('{ open { id } }');
    expect(open.body).toEqual({ data: { open: { id: null } } });
  });
});

@WebSocketGateway()
class WhoamiGateway {
  constructor(private readonly audit: Audit) {}

  @SubscribeMessage('whoami')
  whoami(@MessageBody() body: { key: string }) {
    return this.audit.describe(body.key);
  }

  @Public()
  @SubscribeMessage('open')
  open() {
    return this.audit.describe();
  }
}

describe.each(ADAPTERS)('CurrentPrincipal in gateway handlers (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    app = await createApp(adapter, { imports: [AuthModule.forRoot(OPTIONS)], providers: [Audit, Gates, WhoamiGateway] });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app.close();
  });

  const connect = async (bearer?: string) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, ...(bearer ? { auth: { token: bearer } } : {}) });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    return socket;
  };
  const call = (socket: Socket, event: string, data: unknown) =>
    new Promise<unknown>((resolve) => socket.emit(event, data, (answer: unknown) => resolve(answer)));

  it('gives the messages of two callers on their sockets their own caller while they interleave; a public message has none', async () => {
    const alice = await connect(await token('w-alice'));
    const bob = await connect(await token('w-bob'));
    const gates = app.get(Gates);
    const answers = [call(alice, 'whoami', { key: 'a1' }), call(bob, 'whoami', { key: 'b1' }), call(alice, 'whoami', { key: 'a2' })];
    for (let tries = 0; gates.pending < 3 && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 5));
    gates.openAllReversed();
    expect(await Promise.all(answers)).toEqual([
      { key: 'a1', id: 'w-alice', user: { id: 'w-alice', display: 'user w-alice' } },
      { key: 'b1', id: 'w-bob', user: { id: 'w-bob', display: 'user w-bob' } },
      { key: 'a2', id: 'w-alice', user: { id: 'w-alice', display: 'user w-alice' } },
    ]);
    // The same socket's next, public message carries no caller of an earlier message.
    expect(await call(alice, 'open', {})).toEqual({});
  });
});
