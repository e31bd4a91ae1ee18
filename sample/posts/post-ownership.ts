import { Injectable } from '@nestjs/common';
import type { AuthRequest, Ownership, OwnershipResolver } from '../../lib/index.js';
import { type Post, PostsService } from './posts.service.js';

/** Loads the post named in the route once; nest-warden compares its owner with the caller. */
@Injectable()
export class PostOwnership implements OwnershipResolver<Post> {
  constructor(private readonly posts: PostsService) {}

  resolve(request: AuthRequest & { params?: Record<string, string> }): Ownership<Post> | null {
    const post = this.posts.find(request.params?.id ?? '');
    return post ? { resource: post, ownerId: post.ownerId } : null;
  }
}
