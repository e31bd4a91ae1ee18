import { Injectable } from '@nestjs/common';

export interface Post {
  readonly id: string;
  readonly ownerId: string;
  readonly title: string;
  readonly body: string;
  readonly published: boolean;
}

/** In-memory posts (design.md: post 1 is alice's and published, post 2 is bob's and not). */
@Injectable()
export class PostsService {
  private readonly posts = new Map<string, Post>([
    ['1', { id: '1', ownerId: 'alice', title: 'Hello from alice', body: 'Published for everyone.', published: true }],
    ['2', { id: '2', ownerId: 'bob', title: "Bob's draft", body: 'Not published yet.', published: false }],
  ]);

  list(includeUnpublished: boolean): Post[] {
    const all = [...this.posts.values()];
    return includeUnpublished ? all : all.filter((post) => post.published);
  }

  find(id: string): Post | undefined {
    return this.posts.get(id);
  }

  update(id: string, changes: Partial<Pick<Post, 'title' | 'body' | 'published'>>): Post {
    const post = { ...this.posts.get(id)!, ...changes };
    this.posts.set(id, post);
    return post;
  }

  remove(id: string): void {
    this.posts.delete(id);
  }
}
