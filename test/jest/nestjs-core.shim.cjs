// See cjs-peers.resolver.cjs: the ESM @nestjs/core namespace the test run already loaded.
const shared = globalThis[Symbol.for('nest-warden:jest:@nestjs/core')];
if (!shared) throw new Error('test/jest/share-nest.setup.ts did not run (setupFilesAfterEnv in jest.config.js).');
module.exports = shared;
