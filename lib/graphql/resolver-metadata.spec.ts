import { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  Field,
  GRAPHQL_MODULE_OPTIONS as GQL_OPTIONS,
  Mutation,
  ObjectType,
  Query,
  RESOLVER_PROPERTY_METADATA as GQL_PROPERTY,
  RESOLVER_REFERENCE_METADATA as GQL_REFERENCE,
  RESOLVER_TYPE_METADATA as GQL_TYPE,
  ResolveField,
  ResolveReference,
  Resolver,
} from '@nestjs/graphql';
import {
  GRAPHQL_MODULE_OPTIONS,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_REFERENCE_METADATA,
  RESOLVER_TYPE_METADATA,
  resolverHandlers,
} from './resolver-metadata.js';

@ObjectType()
class Book {
  @Field() title!: string;
}

@Resolver(() => Book)
class BookResolver {
  @Query(() => Book) book(): Book {
    return { title: 't' };
  }
  @Mutation(() => Book) addBook(): Book {
    return { title: 't' };
  }
  @ResolveField(() => String) summary(): string {
    return 's';
  }
  @ResolveReference() resolveReference(): Book {
    return { title: 't' };
  }
  helper(): void {}
}

@Resolver('Query')
class SchemaFirstQueries {
  books(): Book[] {
    return [];
  }
}

const names = (type: Type) =>
  Object.getOwnPropertyNames(type.prototype).filter((name) => name !== 'constructor');

describe('resolver metadata', () => {
  it('reads the keys @nestjs/graphql writes', () => {
    expect([
      RESOLVER_TYPE_METADATA,
      RESOLVER_PROPERTY_METADATA,
      RESOLVER_REFERENCE_METADATA,
      GRAPHQL_MODULE_OPTIONS,
    ]).toEqual([GQL_TYPE, GQL_PROPERTY, GQL_REFERENCE, GQL_OPTIONS]);
  });

  it('lists queries and mutations as root handlers and field/reference resolvers as fields', () => {
    const found = resolverHandlers(new Reflector(), BookResolver, names(BookResolver)).map(
      ({ methodName, field }) => [methodName, field],
    );
    expect(found).toEqual([
      ['book', false],
      ['addBook', false],
      ['summary', true],
      ['resolveReference', true],
    ]);
  });

  it('lists the undecorated methods of a schema-first root resolver', () => {
    expect(resolverHandlers(new Reflector(), SchemaFirstQueries, names(SchemaFirstQueries))).toEqual([
      { handler: SchemaFirstQueries.prototype.books, methodName: 'books', field: false },
    ]);
  });
});
