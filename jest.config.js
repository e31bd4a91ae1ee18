/** Jest runs the TypeScript sources as native ESM (see ../shared/toolchain.md). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/docs/**/*.spec.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
