// Jest on Node 20 cannot require() ES modules, and Nest 12 ships @nestjs/common and @nestjs/core as ESM
// only, while @nestjs/throttler 6 is CommonJS and requires them. For requires made from inside
// @nestjs/throttler, hand out the ESM namespaces the test already loaded (see share-nest.setup.ts),
// so both sides see the same Reflector, Injectable and decorators. Node itself (Node >= 20.19
// require(esm)) and Jest on Node >= 24.9 need none of this.
const path = require('node:path');

const SHIMS = {
  '@nestjs/common': path.join(__dirname, 'nestjs-common.shim.cjs'),
  '@nestjs/core': path.join(__dirname, 'nestjs-core.shim.cjs'),
};
const FROM_THROTTLER = /[\\/]node_modules[\\/]@nestjs[\\/]throttler[\\/]/;

module.exports = (request, options) => {
  if (SHIMS[request] && FROM_THROTTLER.test(`${options.basedir}/`)) return SHIMS[request];
  return options.defaultResolver(request, options);
};
