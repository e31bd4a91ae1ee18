import { Reflector } from '@nestjs/core';
import { PERMISSIONS_METADATA } from '../policy/policy-metadata.js';
import { Permissions } from './permissions.decorator.js';

describe('@Permissions()', () => {
  it('stores the concrete permissions it is given, frozen', () => {
    class Posts {
      @Permissions('posts:read', 'posts:comments:delete')
      list() {}
    }
    const stored = new Reflector().get<readonly string[]>(PERMISSIONS_METADATA, Posts.prototype.list);
    expect(stored).toEqual(['posts:read', 'posts:comments:delete']);
    expect(Object.isFrozen(stored)).toBe(true);
  });

  it.each([
    ['posts:*', /wildcard "\*".*concrete permission/],
    ['*', /wildcard "\*"/],
    ['posts*', /inside a segment/],
    ['posts::read', /empty segment/],
    ['posts: read', /surrounding spaces|whitespace/],
  ])('refuses %j where it is written', (permission, message) => {
    expect(() => Permissions(permission)).toThrow(TypeError);
    expect(() => Permissions(permission)).toThrow(message);
  });

  it('needs at least one permission', () => {
    expect(() => Permissions()).toThrow(/@Permissions\(\) needs at least one name/);
  });
});
