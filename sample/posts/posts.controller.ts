import { Body, Controller, Delete, Get, Put } from '@nestjs/common';
import { CurrentUser, OptionalAuth, OwnedResource, Owner, type Principal } from '../../lib/index.js';
import { parsePostChanges } from './post-changes.js';
import { PostOwnership } from './post-ownership.js';
import { type Post, PostsService } from './posts.service.js';

@Controller('posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  /** Anonymous callers see published posts; signed-in callers see all. */
  @OptionalAuth()
  @Get()
  list(@CurrentUser() user?: Principal): Post[] {
    return this.posts.list(user !== undefined);
  }

  @Owner(PostOwnership, { bypass: ['admin'] })
  @Get(':id')
  get(@OwnedResource() post: Post): Post {
    return post;
  }

  @Owner(PostOwnership, { bypass: ['admin'] })
  @Put(':id')
  update(@OwnedResource() post: Post, @Body() body: unknown): Post {
    return this.posts.update(post.id, parsePostChanges(body));
  }

  /** 200 with the deleted post (RFC 9110 §9.3.5: a representation describing the outcome). */
  @Owner(PostOwnership, { bypass: ['admin'] })
  @Delete(':id')
  remove(@OwnedResource() post: Post): Post {
    this.posts.remove(post.id);
    return post;
  }
}
