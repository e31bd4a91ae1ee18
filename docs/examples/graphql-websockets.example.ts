// Type-checked examples for docs/graphql-websockets.md.
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable, Module } from '@nestjs/common';
import {
  Args,
  Field,
  GraphQLModule,
  ID,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import {
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { createClient } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { Namespace, Socket } from 'socket.io';
import { io } from 'socket.io-client';
import {
  type AuthRequest,
  AuthModule,
  CurrentUser,
  type GraphQLAuthErrorExtensions,
  OwnedResource,
  Owner,
  type OwnershipResolver,
  type Principal,
  Public,
  Roles,
  Scopes,
  type SocketConnectionError,
  type WsDenialPayload,
  WsConnectionAuth,
} from '../../lib/index.js';

@ObjectType()
class Post {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field() authorId!: string;
}

@Injectable()
class PostsService {
  private readonly posts = new Map<string, Post>();
  find(id: string): Post | undefined {
    return this.posts.get(id);
  }
  all(): Post[] {
    return [...this.posts.values()];
  }
}

// --- example: graphql-ownership
/** GraphQL arguments arrive as `request.params`, like route parameters over HTTP. */
@Injectable()
export class PostOwnership implements OwnershipResolver<Post> {
  constructor(private readonly posts: PostsService) {}

  resolve(request: AuthRequest & { params?: Record<string, string> }) {
    const post = this.posts.find(request.params?.id ?? '');
    return post ? { resource: post, ownerId: post.authorId } : null;
  }
}
// --- end

// --- example: graphql-resolver
@Resolver(() => Post)
export class PostsResolver {
  constructor(private readonly store: PostsService) {}

  @Public()
  @Query(() => [Post])
  posts(): Post[] {
    return this.store.all();
  }

  @Query(() => String)
  whoAmI(@CurrentUser() user: Principal): string {
    return user.id;
  }

  @Owner(PostOwnership, { bypass: ['admin'] })
  @Mutation(() => Post)
  renamePost(@Args('id', { type: () => ID }) _id: string, @Args('title') title: string, @OwnedResource() post: Post): Post {
    post.title = title;
    return post;
  }

  /** Runs its own check: needs `fieldResolverEnhancers: ['guards']`. */
  @Roles('moderator')
  @ResolveField(() => String, { nullable: true })
  moderationNote(@Parent() post: Post): string {
    return `reviewed ${post.id}`;
  }

  /** Derived from the parent only: no check of its own. */
  @Public()
  @ResolveField(() => Number)
  titleLength(@Parent() post: Post): number {
    return post.title.length;
  }

  @Scopes('posts:read')
  @Subscription(() => Post, { resolve: (post: Post) => post })
  async *postAdded(): AsyncIterableIterator<Post> {
    yield* this.store.all();
  }
}
// --- end

// --- example: graphql-module
@Module({
  imports: [
    AuthModule.forRoot({
      jwt: { algorithms: ['HS256'], secret: process.env.JWT_SECRET!, issuer: 'https://auth.example.com', audience: 'api' },
    }),
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      autoSchemaFile: true,
      // Nest runs guards on @ResolveField() only when asked; nest-warden refuses to boot
      // if a field resolver carries rules that would otherwise be skipped.
      fieldResolverEnhancers: ['guards'],
      // Optional: subscriptions over graphql-ws, authenticated from connectionParams.
      subscriptions: { 'graphql-ws': true },
    }),
  ],
  providers: [PostsService, PostOwnership, PostsResolver],
})
export class GraphQLAppModule {}
// --- end

// --- example: graphql-client-errors
/** What a GraphQL client finds in `errors[i].extensions` when the guard says no. */
export function needsLogin(extensions: GraphQLAuthErrorExtensions): boolean {
  return extensions.code === 'UNAUTHENTICATED';
}
// --- end

// --- example: graphql-ws-client
export function subscribeToPosts(url: string, accessToken: string) {
  const client = createClient({
    url, // ws://host/graphql
    connectionParams: { authorization: `Bearer ${accessToken}` }, // or { token: accessToken }
  });
  return client.iterate({ query: 'subscription { postAdded { id title } }' });
}
// --- end

// --- example: gateway
@WebSocketGateway()
export class ChatGateway {
  @Public()
  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }

  /** Protected by the default strategies, re-checked on every message. */
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: Principal) {
    return { id: user.id, roles: user.roles };
  }

  @Roles('admin')
  @SubscribeMessage('rooms:close')
  close(@MessageBody() body: { roomId: string }) {
    return { closed: body.roomId };
  }
}
// --- end

// --- example: connection-check
/** Refuses sockets without valid credentials when they connect; messages are still checked one by one. */
@Roles('member')
@WebSocketGateway({ namespace: 'members' })
export class MembersGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(private readonly connectionAuth: WsConnectionAuth) {}

  afterInit(namespace: Namespace): void {
    namespace.use(this.connectionAuth.middleware(MembersGateway));
  }

  handleConnection(socket: Socket): void {
    const user = this.connectionAuth.userOf(socket) as Principal;
    void socket.join(`user:${user.id}`);
  }
}
// --- end

// --- example: origin-check
const ALLOWED_ORIGINS = new Set(['https://app.example.com']);

/** Cookie-authenticated sockets: refuse handshakes from other sites (cross-site WebSocket hijacking). */
@WebSocketGateway({
  allowRequest: (request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) =>
    callback(null, ALLOWED_ORIGINS.has(request.headers.origin ?? '')),
})
export class CookieGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentUser('id') id: string) {
    return { id };
  }
}
// --- end

// --- example: socket-client
export function connect(url: string, accessToken: string) {
  const socket = io(url, { auth: { token: accessToken } }); // not in the URL, not in logs
  socket.on('connect_error', (error: Error) => {
    const denial = (error as SocketConnectionError).data; // { status, statusCode, code, message }
    if (denial.status === 'error' && 'code' in denial && denial.code === 'UNAUTHENTICATED') {
      // refresh the token, then socket.connect()
    }
  });
  socket.on('exception', (denial: WsDenialPayload) => {
    console.warn(`${denial.code}: ${denial.message}`); // a denied message; the socket stays open
  });
  return socket;
}
// --- end
