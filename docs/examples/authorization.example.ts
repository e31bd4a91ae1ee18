// The examples of docs/authorization.md. Type-checked by `npm run typecheck`; in your app, import
// from 'nest-warden' instead of '../../lib/index.js'.
import { Controller, Delete, Get, Injectable, Module, Param, Post, Put } from '@nestjs/common';
import {
  Auth,
  Authorizer,
  AuthModule,
  type AuthRequest,
  CurrentPrincipal,
  CurrentUser,
  OwnedResource,
  type Ownership,
  Owner,
  type OwnershipResolver,
  Permissions,
  type Principal,
  Public,
  type RoleOptions,
  Roles,
  Scopes,
} from '../../lib/index.js';

// --- Roles, their hierarchy and their grants -------------------------------------------------

export const ROLES: RoleOptions = {
  // An admin is also an editor and an auditor; both are viewers.
  hierarchy: { admin: ['editor', 'auditor'], editor: ['viewer'], auditor: ['viewer'] },
  // Grants flow down the hierarchy: an editor holds posts:read (from viewer) and posts:*.
  permissions: {
    viewer: ['posts:read'],
    editor: ['posts:*'],
    auditor: ['reports:*:read'],
    admin: ['*'],
  },
};

// Values are read when the app boots (never at import time).
export const authModule = AuthModule.forRootAsync({
  useFactory: () => ({
    jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET!, issuer: 'https://id.example.com', audience: 'api' },
    roles: ROLES,
  }),
});

// --- An ownership resolver: loads the resource once, says who owns it --------------------------

export interface Post {
  readonly id: string;
  readonly authorId: number;
  readonly title: string;
}

@Injectable()
export class PostsRepository {
  private readonly posts = new Map<string, Post>([['1', { id: '1', authorId: 7, title: 'Hello' }]]);

  async findById(id: string): Promise<Post | undefined> {
    return this.posts.get(id);
  }
}

@Injectable()
export class PostOwnership implements OwnershipResolver<Post> {
  constructor(private readonly posts: PostsRepository) {}

  async resolve(request: AuthRequest & { params?: Record<string, string> }): Promise<Ownership<Post> | null> {
    const post = await this.posts.findById(request.params?.id ?? '');
    // null → 404. ownerId is compared with Principal.id exactly, as a string.
    return post ? { resource: post, ownerId: String(post.authorId) } : null;
  }
}

// --- The caller in a service ------------------------------------------------------------------

// --- example: current-principal
@Injectable()
export class NotesService {
  constructor(private readonly caller: CurrentPrincipal) {}

  /** Stamps the author from the caller of the current request, however deep the call. */
  create(text: string): { text: string; authorId: string } {
    return { text, authorId: this.caller.require().id };
  }
}
// --- end

@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Post()
  create() {
    return this.notes.create('hello');
  }
}

// --- Controllers ----------------------------------------------------------------------------

@Controller('posts')
export class PostsController {
  constructor(private readonly authorizer: Authorizer) {}

  @Public()
  @Get()
  list() {
    return [];
  }

  // Any authenticated viewer (or editor, auditor, admin: they imply viewer).
  @Roles('viewer')
  @Get('drafts')
  drafts() {
    return [];
  }

  // Only the author, or an admin (bypass); the resolver ran once and the handler reuses its result.
  @Owner(PostOwnership, { bypass: ['admin'] })
  @Get(':id')
  get(@OwnedResource() post: Post) {
    return post;
  }

  // All of: an editor role (or admin) AND the author AND a second factor.
  @Roles('editor')
  @Owner(PostOwnership, { bypass: ['admin'] })
  @Auth({ mfa: true })
  @Put(':id')
  update(@OwnedResource() post: Post) {
    return { ...post, updated: true };
  }

  // Permissions: editors hold posts:* (covers posts:delete); admins hold *.
  @Permissions('posts:delete')
  @Delete(':id')
  remove(@Param('id') id: string) {
    return { deleted: id };
  }

  // Imperative checks use the same hierarchy and wildcard rules as the decorators.
  @Get(':id/actions')
  actions(@CurrentUser() user: Principal) {
    return {
      canDelete: this.authorizer.hasPermission(user, 'posts:delete'),
      isEditor: this.authorizer.hasRole(user, 'editor'),
    };
  }
}

// Class-level rules apply to every method; a method-level rule of the same kind replaces it.
@Roles('admin')
@Controller('admin')
export class AdminController {
  @Get('users')
  users() {
    return [];
  }

  @Roles('auditor') // replaces @Roles('admin') here: auditors and admins (admin implies auditor)
  @Get('audit')
  audit() {
    return [];
  }

  @Scopes('admin:write') // adds to @Roles('admin'): both apply
  @Post('tasks')
  task() {
    return { queued: true };
  }

  @Public() // opens this one method of an admin-only controller
  @Get('status')
  status() {
    return { status: 'ok' };
  }
}

// OAuth2 scopes come from the access token (`scope` / `scp`); a missing one is 403 with
// WWW-Authenticate: Bearer error="insufficient_scope", scope="items:read".
@Scopes('items:read')
@Controller('items')
export class ItemsController {
  @Get()
  list() {
    return [];
  }

  @Scopes('items:write') // replaces the class scope for this method
  @Post()
  create() {
    return { created: true };
  }
}

@Module({
  imports: [authModule],
  controllers: [PostsController, AdminController, ItemsController, NotesController],
  providers: [PostsRepository, PostOwnership, NotesService],
})
export class AppModule {}
