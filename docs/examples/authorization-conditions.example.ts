// The examples of docs/authorization-conditions.md. Type-checked by `npm run typecheck` and run by
// authorization-conditions.example.spec.ts; in your app, import from 'nest-warden' and 'nest-warden/casl'.
import { Body, Controller, Get, Injectable, Module, Patch, Post } from '@nestjs/common';
import pg from 'pg';
import { AuthModule, type AuthRequest, OwnedResource, type Principal } from '../../lib/index.js';
import {
  AbilityFactory,
  Can,
  CaslModule,
  CurrentAbility,
  PermittedFields,
  type ResourceLoader,
  toMongoQuery,
  toSql,
  type WardenAbility,
  type WardenRule,
} from '../../lib/casl/index.js';
import { toPrismaWhere } from '../../lib/casl/prisma/index.js';

export interface Article {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  readonly teamId: number;
  readonly published: boolean;
}

/** The caller's team, from a claim of the access token. */
const teamOf = (principal: Principal) => Number(principal.claims?.team_id);

// --- example: factory
/** Rules from your own data, added after the roles' rules (so its `cannot` rules win). */
@Injectable()
export class FrozenTeams extends AbilityFactory {
  private readonly frozen = new Set([13]);

  rulesFor(principal: Principal): readonly WardenRule[] {
    return this.frozen.has(teamOf(principal)) ? [{ action: 'update', subject: 'Article', inverted: true }] : [];
  }
}
// --- end

// --- example: rules
export const caslModule = CaslModule.forRoot({
  // Every signed-in caller: read published articles.
  authenticated: [{ action: 'read', subject: 'Article', conditions: { published: true } }],
  roles: {
    // A function of the principal: conditions that depend on the caller.
    editor: (principal) => [
      { action: 'read', subject: 'Article', conditions: { teamId: teamOf(principal) } },
      { action: 'update', subject: 'Article', fields: ['title', 'body'], conditions: { teamId: teamOf(principal) } },
      { action: 'update', subject: 'Article', inverted: true, conditions: { published: true } },
    ],
    support: [
      { action: 'read', subject: 'User', fields: ['id', 'name'] },
      { action: 'update', subject: 'User', fields: ['name'] },
    ],
    // The role hierarchy of AuthModule applies: an admin is also an editor.
    admin: [{ action: 'manage', subject: 'all' }],
  },
  // Rules from your own data, per caller (optional).
  factory: FrozenTeams,
});
// --- end

/** The articles, in a PostgreSQL table (`pg`). */
export class Articles {
  constructor(
    readonly pool: pg.Pool,
    readonly table: string,
  ) {}

  async byId(id: number): Promise<Article | null> {
    if (!Number.isSafeInteger(id)) return null;
    const { rows } = await this.pool.query<Article>(`SELECT * FROM "${this.table}" WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  // --- example: list-sql
  /** Only the rows the caller may read: the rules become the WHERE clause, values bound as parameters. */
  async readableBy(ability: WardenAbility): Promise<Article[]> {
    const where = toSql(ability, 'read', 'Article'); // { sql: '("teamId" = $1 or "published" = $2)', params: [3, true] }
    if (!where) return []; // no rule allows reading any article
    const { rows } = await this.pool.query<Article>(`SELECT * FROM "${this.table}" WHERE ${where.sql} ORDER BY id`, [...where.params]);
    return rows;
  }
  // --- end
}

// --- example: loader
/** Loads `:id` once per request; `@Can()` checks the rules' conditions against it (null → 404). */
@Injectable()
export class ArticleLoader implements ResourceLoader<Article> {
  constructor(private readonly articles: Articles) {}

  load(request: AuthRequest & { params?: Record<string, string> }): Promise<Article | null> {
    return this.articles.byId(Number(request.params?.id));
  }
}
// --- end

// --- example: controller
@Controller('articles')
export class ArticlesController {
  constructor(private readonly articles: Articles) {}

  /** "May read some Article": the list is filtered by the same rules, in SQL. */
  @Can('read', 'Article')
  @Get()
  list(@CurrentAbility() ability: WardenAbility) {
    return this.articles.readableBy(ability);
  }

  /** The same rules for MongoDB and Prisma (nest-warden/casl/prisma). */
  @Can('read', 'Article')
  @Get('filters')
  filters(@CurrentAbility() ability: WardenAbility) {
    return { mongo: toMongoQuery(ability, 'read', 'Article'), prisma: toPrismaWhere(ability, 'read', 'Article') };
  }

  /** The loaded article must satisfy a `read` rule's conditions. */
  @Can('read', 'Article', { resource: ArticleLoader })
  @Get(':id')
  get(@OwnedResource() article: Article) {
    return article;
  }

  /** ...and an `update` rule's; the body may only name fields those rules list (else 403 naming them). */
  @Can('update', 'Article', { resource: ArticleLoader })
  @PermittedFields('Article', { write: 'update' })
  @Patch(':id')
  update(@OwnedResource() article: Article, @Body() changes: Partial<Article>) {
    return { ...article, ...changes };
  }
}
// --- end

// --- example: fields
@Controller('users')
export class UsersController {
  /** Support staff see users, but only the fields their rules list: `email` is cut from every item. */
  @Can('read', 'User')
  @PermittedFields('User')
  @Get()
  list() {
    return [{ id: 'u1', name: 'Ada', email: 'ada@example.com' }];
  }

  /** `read: false`: only the body is checked, the response is left alone. */
  @Can('read', 'User')
  @PermittedFields('User', { write: 'update', read: false })
  @Post(':id')
  rename(@Body() changes: { name?: string }) {
    return { renamed: changes.name ?? null };
  }
}
// --- end

// --- example: module
@Module({
  imports: [
    AuthModule.forRootAsync({
      useFactory: () => ({
        jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET!, issuer: 'https://id.example.com', audience: 'api' },
        roles: { hierarchy: { admin: ['editor'] } },
      }),
    }),
    caslModule,
  ],
  controllers: [ArticlesController, UsersController],
  providers: [ArticleLoader, { provide: Articles, useFactory: () => new Articles(new pg.Pool(), 'articles') }],
})
export class AppModule {}
// --- end
