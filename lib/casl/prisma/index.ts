// `nest-warden/casl/prisma`: the caller's rules as a Prisma `where` input, on @casl/prisma (an
// optional peer dependency, with @prisma/client). A subpath of its own so apps without Prisma never load it.
export { toPrismaWhere, type PrismaWhere } from './prisma-where.js';
export type { WardenAbility } from '../casl.options.js';
