import { BadRequestException } from '@nestjs/common';
import type { Post } from './posts.service.js';

/** Validates a `PUT /posts/:id` body: only known fields, each of the right type. */
export function parsePostChanges(body: unknown): Partial<Pick<Post, 'title' | 'body' | 'published'>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException('Body must be a JSON object with title, body and/or published');
  }
  const changes: { title?: string; body?: string; published?: boolean } = {};
  for (const [key, value] of Object.entries(body)) {
    if ((key === 'title' || key === 'body') && typeof value === 'string' && value.length <= 10_000) changes[key] = value;
    else if (key === 'published' && typeof value === 'boolean') changes.published = value;
    else throw new BadRequestException(`Unexpected or invalid field "${key}"`);
  }
  if (changes.title !== undefined && changes.title.trim() === '') throw new BadRequestException('title must not be empty');
  return changes;
}
