/**
 * Jest runs the TypeScript sources as native ES modules, as Nest 12 itself ships (ESM only; Jest's
 * loader cannot require() ESM on Node 20). That takes three things: Node's VM modules (the `jest`
 * script runs `node --experimental-vm-modules`), ts-jest in ESM mode for `.ts` files, and relative
 * imports written with `.js` mapped back to their `.ts` sources. Nothing in node_modules is
 * transformed. In specs, import `jest` from '@jest/globals' (`jest.mock` is not hoisted in ESM; Nest's
 * `overrideProvider` is the usual way to swap a collaborator). tsconfig.json sets `isolatedModules`,
 * so ts-jest transpiles without type-checking: `npm run typecheck` does that. docs/testing.md
 * ("Runner setup") shows the setups for apps, CommonJS ones included.
 */
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
  // test/consumer-apps/ holds whole apps that consumer-apps.e2e-spec.ts installs and runs with their own runners.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumer-apps/'],
  modulePathIgnorePatterns: ['<rootDir>/test/consumer-apps/', '<rootDir>/dist/'],
  testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/docs/**/*.spec.ts'],
  // @nestjs/throttler is CommonJS requiring ESM-only Nest 12; see test/jest/cjs-peers.resolver.cjs.
  resolver: '<rootDir>/test/jest/cjs-peers.resolver.cjs',
  // The consumer-app suite (npm installs) starts first, to overlap with the rest; see the file.
  testSequencer: '<rootDir>/test/jest/consumers-first.sequencer.cjs',
  setupFilesAfterEnv: ['<rootDir>/test/jest/share-nest.setup.ts'],
  // One three-master Redis Cluster for the run (REDIS_CLUSTER_NODES), stopped after it, failed or not.
  globalSetup: '<rootDir>/test/helpers/redis-server.ts',
  globalTeardown: '<rootDir>/test/jest/redis-cluster.teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
