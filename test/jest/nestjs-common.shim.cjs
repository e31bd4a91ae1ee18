// See cjs-peers.resolver.cjs: the ESM @nestjs/common namespace the test run already loaded.
const shared = globalThis[Symbol.for('nest-warden:jest:@nestjs/common')];
if (!shared) throw new Error('test/jest/share-nest.setup.ts did not run (setupFilesAfterEnv in jest.config.js).');
module.exports = shared;
