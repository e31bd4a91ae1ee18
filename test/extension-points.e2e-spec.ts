import { Controller, type ExecutionContext, Get, Injectable, type INestApplication, Module } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import request from 'supertest';
import {
  Auth,
  AuthError,
  AuthGuard,
  AuthModule,
  type AuthModuleExtras,
  type AuthModuleOptions,
  type AuthRequest,
  CurrentUser,
  JwtStrategy,
  OAuthError,
  type Principal,
  Public,
  type RoutePolicy,
  TokenGrant,
  type TokenGrantContext,
  TokenService,
  type TokenSet,
  UserDirectory,
} from '../lib/index.js';
import { createAuthDocument } from '../lib/openapi/index.js';
import { DocumentBuilder } from '@nestjs/swagger';
import { StrategyRegistry } from '../lib/strategies/strategy-registry.js';
import { ADAPTERS, createApp } from './helpers/create-app.js';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './helpers/tokens.js';
import { ALICE, CHEAP_ARGON2, InMemoryUsers } from './helpers/users.js';

const JWT: AuthModuleOptions['jwt'] = { algorithms: ['HS256'], secret: TEST_SECRET, issuer: TEST_ISSUER, audience: TEST_AUDIENCE };

@Controller()
class ProbeController {
  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentUser() user: { id: string; audited?: boolean }) {
    return user;
  }
}

/** A service of the app's own, in a module of its own, that the guard subclass injects. */
@Injectable()
class AuditLog {
  readonly entries: string[] = [];
}

@Module({ providers: [AuditLog], exports: [AuditLog] })
class AuditModule {}

/** A guard subclass with a constructor of its own, overriding two hooks. */
@Injectable()
class AuditingGuard extends AuthGuard {
  calls = 0;

  constructor(private readonly audit: AuditLog) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    this.calls++;
    return super.canActivate(context);
  }

  protected override attach(context: ExecutionContext, request: AuthRequest, principal: Principal, policy: RoutePolicy) {
    const attached = super.attach(context, request, principal, policy);
    request.user = { ...(request.user as object), audited: true };
    this.audit.entries.push(`allowed ${principal.id}`);
    return attached;
  }

  protected override deny(context: ExecutionContext, policy: RoutePolicy | undefined, error: unknown): never {
    this.audit.entries.push(`denied ${(error as { code?: string }).code}`);
    return super.deny(context, policy, error);
  }
}

describe.each(ADAPTERS)('extension points (%s)', (adapter) => {
  describe('forRoot({ guard }): a subclass of AuthGuard runs in its place', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createApp(adapter, {
        imports: [AuthModule.forRoot({ realm: 'test', jwt: JWT, guard: AuditingGuard, imports: [AuditModule] })],
        controllers: [ProbeController],
      });
    });
    afterAll(() => app.close());

    it('is the one global guard: app.get(AuthGuard) is the subclass, and it runs once per request', async () => {
      const guard = app.get(AuthGuard);
      expect(guard).toBeInstanceOf(AuditingGuard);
      expect(app.get(ApplicationConfig).getGlobalGuards()).toEqual([guard]);
      const before = (guard as AuditingGuard).calls;
      const token = await signTestToken({ sub: 'u-1' });
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect((guard as AuditingGuard).calls - before).toBe(1);
    });

    it('runs its overridden hooks with its own collaborators (a service from the imported module)', async () => {
      const audit = app.get(AuditLog);
      audit.entries.length = 0;
      const token = await signTestToken({ sub: 'u-2' });
      const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(res.body).toMatchObject({ id: 'u-2', audited: true });
      await request(app.getHttpServer()).get('/me').expect(401);
      expect(audit.entries).toEqual(['allowed u-2', 'denied credentials_missing']);
    });

    it('keeps the answers of the base guard: 401 with the challenge, public routes open', async () => {
      const res = await request(app.getHttpServer()).get('/me').set('Authorization', 'Bearer not-a-token');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="test", error="invalid_token", error_description="The access token is malformed"');
      await request(app.getHttpServer()).get('/health').expect(200);
    });
  });

  it('refuses, when the module is declared, a guard option that does not extend AuthGuard, naming the class and the fix', () => {
    @Injectable()
    class NotAGuard {
      canActivate(): boolean {
        return true;
      }
    }
    expect(() => AuthModule.forRoot({ jwt: JWT, guard: NotAGuard as unknown as AuthModuleExtras['guard'] })).toThrow(
      /guard option names NotAGuard, which does not extend AuthGuard\. Pass a class that extends AuthGuard/,
    );
  });

  it('without the option, the one global guard is AuthGuard itself', async () => {
    const app = await createApp(adapter, { imports: [AuthModule.forRoot({ jwt: JWT })], controllers: [ProbeController] });
    try {
      expect(app.get(AuthGuard).constructor).toBe(AuthGuard);
      expect(app.get(ApplicationConfig).getGlobalGuards()).toEqual([app.get(AuthGuard)]);
    } finally {
      await app.close();
    }
  });
});

/** A grant of the app's own: an invitation code of the app's directory, exchanged for the invited user's tokens. */
const INVITATION_GRANT = 'urn:example:params:oauth:grant-type:invitation';

@Injectable()
class Invitations {
  readonly codes = new Map<string, string>([['welcome-alice', ALICE.username]]);
}

@Injectable()
class InvitationGrant extends TokenGrant {
  readonly grantType = INVITATION_GRANT;
  override readonly parameters = [{ name: 'invitation_code', description: 'Required for the invitation grant.', secret: true }];

  constructor(
    private readonly invitations: Invitations,
    private readonly users: UserDirectory,
    private readonly tokens: TokenService,
  ) {
    super();
  }

  async handle({ parameters, client }: TokenGrantContext): Promise<TokenSet> {
    const username = this.invitations.codes.get(parameters.require('invitation_code'));
    const account = username === undefined ? null : await this.users.findByUsername(username);
    if (!account) throw new OAuthError('invalid_grant', 'The invitation code is unknown or was used');
    this.invitations.codes.delete(parameters.require('invitation_code'));
    return this.tokens.issue(account, { clientId: client.id, amr: ['otp'], grantType: this.grantType, refreshToken: false });
  }
}

function grantModule(extras: Partial<AuthModuleExtras> = {}, clients?: NonNullable<AuthModuleOptions['tokens']>['clients'], withGrantProvider = true) {
  @Module({
    imports: [
      AuthModule.forRoot({
        realm: 'test',
        passwords: CHEAP_ARGON2,
        tokens: {
          issuer: 'https://auth.test',
          audience: 'api://test',
          signing: { secret: TEST_SECRET },
          clients: clients ?? [{ id: 'web' }, { id: 'password-only', grantTypes: ['password'] }],
          defaultClient: 'web',
          passwordGrant: true,
        },
        tokenEndpoints: true,
        grants: [InvitationGrant],
        ...extras,
      }),
    ],
    controllers: [ProbeController],
    providers: [
      Invitations,
      ...(withGrantProvider ? [InvitationGrant] : []),
      {
        provide: InMemoryUsers,
        useFactory: async () => {
          const users = new InMemoryUsers();
          await users.add(ALICE);
          return users;
        },
      },
      { provide: UserDirectory, useExisting: InMemoryUsers },
    ],
  })
  class GrantModule {}
  return GrantModule;
}

describe.each(ADAPTERS)('an app grant registered with forRoot({ grants }) (%s)', (adapter) => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await createApp(adapter, { imports: [grantModule()] });
  });
  afterEach(() => app.close());

  const token = (fields: Record<string, string>) =>
    request(app.getHttpServer()).post('/auth/token').type('form').send(new URLSearchParams(fields).toString());

  it('is dispatched by the token endpoint: its tokens work on guarded routes', async () => {
    const res = await token({ grant_type: INVITATION_GRANT, invitation_code: 'welcome-alice' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number), scope: expect.any(String) });
    const me = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${res.body.access_token as string}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: ALICE.id, amr: ['otp'], clientId: 'web' });
  });

  it('refuses through the grant with RFC 6749 §5.2 bodies (a used code: invalid_grant)', async () => {
    await token({ grant_type: INVITATION_GRANT, invitation_code: 'welcome-alice' }).expect(200);
    const again = await token({ grant_type: INVITATION_GRANT, invitation_code: 'welcome-alice' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: 'The invitation code is unknown or was used' });
    const missing = await token({ grant_type: INVITATION_GRANT });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
  });

  it('is refused to a client whose grantTypes leave it out (unauthorized_client), and unknown grants stay unsupported', async () => {
    const res = await token({ grant_type: INVITATION_GRANT, invitation_code: 'welcome-alice', client_id: 'password-only' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unauthorized_client');
    const unknown = await token({ grant_type: 'urn:example:unknown' });
    expect(unknown.body.error).toBe('unsupported_grant_type');
  });

  it('appears in the OpenAPI document: grant_type enum and its parameters', () => {
    const document = createAuthDocument(app, new DocumentBuilder().build());
    const body = document.paths['/auth/token'].post!.requestBody as { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> };
    const properties = body.content['application/x-www-form-urlencoded'].schema.properties;
    expect(properties.grant_type.enum).toEqual(['password', 'refresh_token', 'authorization_code', 'client_credentials', INVITATION_GRANT]);
    expect(properties.invitation_code).toEqual({ type: 'string', format: 'password', description: 'Required for the invitation grant.' });
  });
});

describe('app grants: boot-time checks', () => {
  it('a grant that is not a provider of the app fails the boot, naming it', async () => {
    await expect(createApp('express', { imports: [grantModule({}, undefined, false)] })).rejects.toThrow(
      /grant InvitationGrant listed in AuthModule.forRoot\(\{ grants \}\) is not a provider\. Add InvitationGrant to the providers/,
    );
  });

  it('a client listing a grant type nobody handles fails the boot, listing the ones there are', async () => {
    await expect(createApp('express', { imports: [grantModule({}, [{ id: 'web', grantTypes: ['device_code'] }])] })).rejects.toThrow(
      `tokens.clients "web" lists the grant type "device_code", which the token endpoint does not have. Grant types: password, refresh_token, authorization_code, client_credentials, ${INVITATION_GRANT}.`,
    );
  });

  it('two grants for one grant_type fail the boot', async () => {
    @Injectable()
    class SecondPasswordGrant extends TokenGrant {
      readonly grantType = 'password';
      handle(): Promise<TokenSet> {
        throw new Error('never called');
      }
    }
    @Module({ providers: [SecondPasswordGrant], exports: [SecondPasswordGrant] })
    class Extra {}
    await expect(createApp('express', { imports: [grantModule({ grants: [SecondPasswordGrant] }), Extra] })).rejects.toThrow(
      /two grants handle grant_type=password/,
    );
  });
});

/** An app's subclass of the built-in JWT strategy, keeping its name: it takes the built-in's place. */
@Injectable()
class BlockingJwtStrategy extends JwtStrategy {
  protected override afterVerification(principal: Principal): Principal {
    if (principal.id === 'u-blocked') throw new AuthError('invalid_token', { description: 'The account is blocked', strategy: this.name });
    return principal;
  }
}

@Controller('named')
class NamedController {
  @Auth('jwt')
  @Get()
  named(@CurrentUser('id') id: string) {
    return { id };
  }
}

describe.each(ADAPTERS)('forRoot({ strategies }): a subclass of a built-in strategy under its name (%s)', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(adapter, {
      imports: [AuthModule.forRoot({ realm: 'test', jwt: JWT, strategies: [BlockingJwtStrategy] })],
      controllers: [ProbeController, NamedController],
      providers: [BlockingJwtStrategy],
    });
  });
  afterAll(() => app.close());

  it('replaces the built-in everywhere: as the default strategy and for @Auth("jwt")', async () => {
    expect(app.get(StrategyRegistry).get('jwt')).toBeInstanceOf(BlockingJwtStrategy);
    expect(app.get(StrategyRegistry).defaultStrategies).toEqual(['jwt']);
    const blocked = await signTestToken({ sub: 'u-blocked' });
    for (const path of ['/me', '/named']) {
      const res = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${blocked}`);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('The account is blocked');
    }
    await request(app.getHttpServer()).get('/named').set('Authorization', `Bearer ${await signTestToken({ sub: 'u-ok' })}`).expect(200, { id: 'u-ok' });
  });
});
