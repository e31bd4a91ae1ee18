/**
 * The benchmark's variants, declared in one table (`VARIANTS`). Each entry is one Nest app serving
 * `GET /item` (the same small JSON everywhere): what it imports and provides, the decorators on
 * the route, the credentials the load generator sends, the token modes it is measured in, and
 * the ratios (with targets) reported for it. `npm run bench` starts every variant on every adapter
 * it lists, each in its own process; `test/bench-variants.e2e-spec.ts` boots each one in-process
 * and checks that it answers 200 to a valid request and 401 to an invalid one.
 *
 * Adding a variant is one entry in `VARIANTS` (plus, for a new kind of credential, one entry in
 * `CREDENTIALS` of `credentials.ts`). Nothing here runs at import time.
 */
import 'reflect-metadata';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  type ModuleMetadata,
  type Type,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { importSPKI, jwtVerify, type JWTVerifyOptions } from 'jose';
import { webcrypto } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Auth, AuthModule, type AuthModuleExtras, type AuthModuleOptions, PasswordHasher, RedisStore, Roles, type UserAccount, UserDirectory } from '../lib/index.js';
import { Can, CaslModule, type ResourceLoader } from '../lib/casl/index.js';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_DPOP_ORIGIN, BENCH_ISSUER, BENCH_LOGIN_ISSUER, BENCH_PASSWORD, BENCH_ROLE, BENCH_SECRET, BENCH_USER } from './bench-config.js';

export type AdapterName = 'fastify' | 'express';
export const ADAPTERS: readonly AdapterName[] = ['fastify', 'express'];

/** `warm`: the same token on every request. `cold`: a new token on every request (more than any cache holds). */
export type TokenMode = 'warm' | 'cold';

/** What a variant checks, which decides what its e2e test expects of an invalid request. */
export type Checks = 'nothing' | 'header' | 'token';

/** Values a variant's app needs that are made per run (keys, the Redis to use). */
export interface VariantContext {
  /** SPKI PEM of the Ed25519 key that the EdDSA tokens are signed with. */
  readonly eddsaPublicPem: string;
  readonly redisUrl: string;
  /** Prefix for the RedisStore keys of this app: unique per process. */
  readonly redisKeyPrefix: string;
}

/** A ratio reported for a variant: its req/s ÷ `against`'s req/s in the same mode, adapter and round. */
export interface Comparison {
  readonly mode: TokenMode;
  readonly against: string;
  /** The issue's target for this ratio (at least), if it has one. */
  readonly atLeast?: number;
}

export interface BenchVariant {
  readonly name: string;
  /** One line for the report. */
  readonly summary: string;
  readonly adapters: readonly AdapterName[];
  /** Imports and providers of the app; its one controller (`GET /item`) is added. */
  readonly module: (context: VariantContext) => Omit<ModuleMetadata, 'controllers'>;
  /** Decorators on the `GET /item` handler (e.g. `Roles('user')`). */
  readonly route?: readonly MethodDecorator[];
  /** Key into `CREDENTIALS` (`credentials.ts`): what the load generator sends. */
  readonly credential: string;
  readonly modes: readonly TokenMode[];
  readonly checks: Checks;
  readonly compare?: readonly Comparison[];
  /** Left out of a run (with a note) when Redis does not answer. */
  readonly needsRedis?: boolean;
}

export const ITEM = Object.freeze({ id: 1, name: 'item', tags: ['a', 'b'], ok: true });

type HttpRequest = { headers: IncomingHttpHeaders; user?: unknown };

/**
 * The physical limit of any guard: a global guard that reads the Authorization header and does
 * nothing else (401 when it is absent).
 */
@Injectable()
export class HeaderOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const authorization = context.switchToHttp().getRequest<HttpRequest>().headers.authorization;
    if (typeof authorization !== 'string' || authorization.length === 0) throw new UnauthorizedException();
    return true;
  }
}

const JOSE_KEY = Symbol('bench:jose-key');
const JOSE_OPTIONS = Symbol('bench:jose-options');

/**
 * The floor of a cold request: a global guard that calls `jose.jwtVerify` with the key imported
 * once at boot and the same checks as nest-warden's (algorithm, `iss`, `aud`, `typ`, `exp`).
 */
@Injectable()
export class BareJoseGuard implements CanActivate {
  constructor(
    @Inject(JOSE_KEY) private readonly key: CryptoKey,
    @Inject(JOSE_OPTIONS) private readonly options: JWTVerifyOptions,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) throw new UnauthorizedException();
    return jwtVerify(authorization.slice(7), this.key, this.options).then(
      ({ payload }) => {
        request.user = payload;
        return true;
      },
      () => {
        throw new UnauthorizedException();
      },
    );
  }
}

function bareJose(alg: 'HS256' | 'EdDSA', key: (context: VariantContext) => Promise<CryptoKey>) {
  return (context: VariantContext): Omit<ModuleMetadata, 'controllers'> => ({
    providers: [
      { provide: JOSE_KEY, useFactory: () => key(context) },
      {
        provide: JOSE_OPTIONS,
        useValue: { algorithms: [alg], issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, typ: 'at+jwt', requiredClaims: ['exp', 'sub'] },
      },
      { provide: APP_GUARD, useClass: BareJoseGuard },
    ],
  });
}

/** passport-jwt configured as the @nestjs/passport documentation shows (`secretOrKey` a string). */
@Injectable()
export class DocsJwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), ignoreExpiration: false, secretOrKey: BENCH_SECRET });
  }
  validate(payload: { sub: string }) {
    return { userId: payload.sub };
  }
}

/** One account, hashed at boot with the hasher's own (default OWASP) parameters. */
@Injectable()
export class BenchUsers extends UserDirectory {
  private account: UserAccount | undefined;
  constructor(private readonly hasher: PasswordHasher) {
    super();
  }
  async onModuleInit(): Promise<void> {
    this.account = { id: 'u-bench', username: BENCH_USER, passwordHash: await this.hasher.hash(BENCH_PASSWORD), roles: [BENCH_ROLE] };
  }
  async findByUsername(username: string): Promise<UserAccount | null> {
    return username === BENCH_USER ? this.account! : null;
  }
  async findById(id: string): Promise<UserAccount | null> {
    return id === this.account?.id ? this.account : null;
  }
}

const USERS = [BenchUsers, { provide: UserDirectory, useExisting: BenchUsers }];
const JWT_CHECKS = { issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE } as const;

type WardenOptions = AuthModuleOptions & AuthModuleExtras;

const warden = (options: WardenOptions, extra: Omit<ModuleMetadata, 'controllers'> = {}) => ({
  ...extra,
  imports: [AuthModule.forRoot(options), ...(extra.imports ?? [])],
});

/** The token service's own HS256 tokens: its deny list (revoked `jti`, signed-out user) is asked on every request. */
const ownTokens = (store?: AuthModuleOptions['store']): WardenOptions => ({
  tokens: { ...JWT_CHECKS, signing: { secret: BENCH_SECRET }, clients: [{ id: BENCH_CLIENT }] },
  tokenEndpoints: false,
  store,
});

const hs256: AuthModuleOptions = { jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, ...JWT_CHECKS } };

/**
 * DPoP for the bench: proofs are signed before the run, so they may be as old as the run
 * (`maxAgeSeconds`), name the fixed origin, and one key sends them all (no per-key bound).
 */
const DPOP_BENCH: AuthModuleOptions['dpop'] = { origin: BENCH_DPOP_ORIGIN, maxAgeSeconds: 7200, maxProofsPerKey: 1e12 };

const importHmac = () =>
  webcrypto.subtle.importKey('raw', Buffer.from(BENCH_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']) as Promise<CryptoKey>;

/** `@Can()` with a loaded resource: a synchronous loader (as a cache), so the cost measured is CASL's. */
@Injectable()
export class ItemLoader implements ResourceLoader<typeof ITEM> {
  load() {
    return ITEM;
  }
}

/** CASL abilities for the bench role: read any Item, or only one whose `ok` is true (a condition). */
const caslAbilities = () =>
  CaslModule.forRoot({
    roles: {
      [BENCH_ROLE]: [
        { action: 'read', subject: 'Item' },
        { action: 'inspect', subject: 'Item', conditions: { ok: true } },
      ],
    },
  });

/** The table. Order is the report's order; references first. */
export const VARIANTS: readonly BenchVariant[] = [
  {
    name: 'no-auth',
    summary: 'no guard at all (the framework alone)',
    adapters: ADAPTERS,
    module: () => ({}),
    credential: 'hs256',
    modes: ['warm'],
    checks: 'nothing',
  },
  {
    name: 'noop-guard',
    summary: 'a global guard that only reads the Authorization header: the limit of any guard',
    adapters: ADAPTERS,
    module: () => ({ providers: [{ provide: APP_GUARD, useClass: HeaderOnlyGuard }] }),
    credential: 'hs256',
    modes: ['warm'],
    checks: 'header',
    compare: [{ mode: 'warm', against: 'no-auth' }],
  },
  {
    name: 'jose-hs256',
    summary: 'a global guard calling jose.jwtVerify, HMAC key imported once (the cold floor)',
    adapters: ADAPTERS,
    module: bareJose('HS256', importHmac),
    credential: 'hs256',
    modes: ['cold'],
    checks: 'token',
  },
  {
    name: 'jose-eddsa',
    summary: 'the same with an Ed25519 public key imported once',
    adapters: ADAPTERS,
    module: bareJose('EdDSA', (context) => importSPKI(context.eddsaPublicPem, 'EdDSA') as Promise<CryptoKey>),
    credential: 'eddsa',
    modes: ['cold'],
    checks: 'token',
  },
  {
    name: 'warden-hs256',
    summary: 'nest-warden, `jwt` strategy, HS256',
    adapters: ADAPTERS,
    module: () => warden(hs256),
    credential: 'hs256',
    modes: ['warm', 'cold'],
    checks: 'token',
    compare: [
      { mode: 'warm', against: 'noop-guard', atLeast: 0.95 },
      { mode: 'warm', against: 'no-auth' },
      { mode: 'warm', against: 'passport-jwt' },
      { mode: 'cold', against: 'jose-hs256', atLeast: 0.95 },
    ],
  },
  {
    name: 'warden-eddsa',
    summary: 'nest-warden, `jwt` strategy, EdDSA (Ed25519 public key)',
    adapters: ADAPTERS,
    module: (context) =>
      warden({ jwt: { algorithms: ['EdDSA'], publicKeys: [context.eddsaPublicPem], ...JWT_CHECKS } }),
    credential: 'eddsa',
    modes: ['warm', 'cold'],
    checks: 'token',
    compare: [
      { mode: 'warm', against: 'noop-guard', atLeast: 0.95 },
      { mode: 'cold', against: 'jose-eddsa', atLeast: 0.95 },
    ],
  },
  {
    name: 'warden-dpop',
    summary: 'nest-warden HS256 with DPoP (RFC 9449): a bound token and a fresh ES256 proof per request, jti recorded in MemoryStore',
    adapters: ADAPTERS,
    module: () => warden({ ...hs256, dpop: DPOP_BENCH }),
    credential: 'dpop-hs256',
    modes: ['warm', 'cold'],
    checks: 'token',
    compare: [
      { mode: 'warm', against: 'warden-hs256' },
      { mode: 'cold', against: 'warden-hs256' },
      { mode: 'warm', against: 'noop-guard' },
    ],
  },
  {
    name: 'warden-hs256-roles',
    summary: "nest-warden HS256 with `@Roles('user')` on the route",
    adapters: ADAPTERS,
    module: () => warden(hs256),
    route: [Roles(BENCH_ROLE)],
    credential: 'hs256',
    modes: ['warm'],
    checks: 'token',
    compare: [
      { mode: 'warm', against: 'noop-guard' },
      { mode: 'warm', against: 'warden-hs256' },
    ],
  },
  {
    name: 'warden-hs256-can',
    summary: "nest-warden HS256 with `@Can('read', 'Item')` (nest-warden/casl): the caller's CASL ability built and checked per request",
    adapters: ADAPTERS,
    module: () => warden(hs256, { imports: [caslAbilities()] }),
    route: [Can('read', 'Item')],
    credential: 'hs256',
    modes: ['warm'],
    checks: 'token',
    compare: [
      { mode: 'warm', against: 'warden-hs256-roles' },
      { mode: 'warm', against: 'warden-hs256' },
    ],
  },
  {
    name: 'warden-hs256-can-conditions',
    summary: "the same with `@Can('inspect', 'Item', { resource })`: a loaded item checked against the rule's condition",
    adapters: ADAPTERS,
    module: () => warden(hs256, { imports: [caslAbilities()], providers: [ItemLoader] }),
    route: [Can('inspect', 'Item', { resource: ItemLoader })],
    credential: 'hs256',
    modes: ['warm'],
    checks: 'token',
    compare: [
      { mode: 'warm', against: 'warden-hs256-roles' },
      { mode: 'warm', against: 'warden-hs256-can' },
    ],
  },
  {
    name: 'warden-memory',
    summary: "token service's own HS256 tokens, MemoryStore: deny list asked per request",
    adapters: ADAPTERS,
    module: () => warden(ownTokens(), { providers: USERS }),
    credential: 'hs256',
    modes: ['warm'],
    checks: 'token',
    compare: [{ mode: 'warm', against: 'noop-guard' }],
  },
  {
    name: 'warden-redis',
    summary: "token service's own HS256 tokens, RedisStore: deny list asked per request",
    adapters: ADAPTERS,
    module: (context) =>
      warden(ownTokens(new RedisStore({ url: context.redisUrl, keyPrefix: context.redisKeyPrefix })), { providers: USERS }),
    credential: 'hs256',
    modes: ['warm'],
    checks: 'token',
    needsRedis: true,
    compare: [
      { mode: 'warm', against: 'warden-memory', atLeast: 0.9 },
      { mode: 'warm', against: 'noop-guard' },
    ],
  },
  {
    name: 'passport-jwt',
    summary: '@nestjs/passport + passport-jwt as its documentation shows',
    adapters: ADAPTERS,
    module: () => ({
      imports: [PassportModule],
      providers: [DocsJwtStrategy, { provide: APP_GUARD, useClass: PassportAuthGuard('jwt') }],
    }),
    credential: 'hs256',
    modes: ['warm'],
    checks: 'token',
  },
];

export function variantNamed(name: string): BenchVariant {
  const variant = VARIANTS.find((v) => v.name === name);
  if (!variant) throw new Error(`unknown bench variant "${name}"; known: ${VARIANTS.map((v) => v.name).join(', ')}`);
  return variant;
}

/** The `GET /item` controller, with the variant's decorators on the handler (and `extra` ones). */
export function itemController(route: readonly MethodDecorator[] = []): Type {
  @Controller()
  class ItemController {
    @Get('item')
    item() {
      return ITEM;
    }
  }
  if (route.length) {
    const descriptor = Object.getOwnPropertyDescriptor(ItemController.prototype, 'item')!;
    Object.defineProperty(ItemController.prototype, 'item', Reflect.decorate([...route], ItemController.prototype, 'item', descriptor) ?? descriptor);
  }
  return ItemController;
}

/** The whole module metadata of a variant's app. */
export function variantModule(variant: BenchVariant, context: VariantContext): ModuleMetadata {
  return { ...variant.module(context), controllers: [itemController(variant.route)] };
}

/** Password logins through HTTP Basic (`GET /login`) beside the bearer route (`GET /item`). */
@Controller()
class LoginController {
  @Auth('basic')
  @Get('login')
  login() {
    return ITEM;
  }
}

/**
 * The login-flood app: `GET /item` (HS256 bearer, as `warden-hs256`), `GET /login` (HTTP Basic)
 * and `POST /auth/token` (password grant), argon2id at the defaults and the default hash
 * concurrency (`hashConcurrency` overrides it). The lockout is out of the way of a flood of right
 * passwords.
 */
export function loginModule(hashConcurrency?: number): ModuleMetadata {
  return {
    imports: [
      AuthModule.forRoot({
        jwt: { algorithms: ['HS256'], secret: BENCH_SECRET, ...JWT_CHECKS },
        defaultStrategies: ['jwt'],
        basic: {},
        // Its own issuer: GET /item's tokens are not the token service's, so no deny list (as warden-hs256).
        tokens: { issuer: BENCH_LOGIN_ISSUER, signing: { secret: BENCH_SECRET }, clients: [{ id: BENCH_CLIENT }], passwordGrant: true },
        tokenEndpoints: { token: '/auth/token', revoke: false, jwks: false },
        passwords: { concurrency: hashConcurrency },
        lockout: { accountThreshold: 1e9, addressThreshold: 1e9 },
      }),
    ],
    controllers: [itemController(), LoginController],
    providers: USERS,
  };
}
