/** Jest runs the TypeScript sources as native ESM (see ../shared/toolchain.md). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static (CJS) requires content-disposition 3, which is ESM-only: Node 20.19 can
    // require() it, Jest's module loader cannot. v2 (CJS, same `create` API) stands in under Jest.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
  },
  testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/docs/**/*.spec.ts'],
  // @nestjs/throttler is CommonJS requiring ESM-only Nest 12; see test/jest/cjs-peers.resolver.cjs.
  resolver: '<rootDir>/test/jest/cjs-peers.resolver.cjs',
  setupFilesAfterEnv: ['<rootDir>/test/jest/share-nest.setup.ts'],
  // One three-master Redis Cluster for the run (REDIS_CLUSTER_NODES), stopped after it, failed or not.
  globalSetup: '<rootDir>/test/helpers/redis-server.ts',
  globalTeardown: '<rootDir>/test/jest/redis-cluster.teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
