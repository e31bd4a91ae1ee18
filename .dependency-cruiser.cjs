// The dependency rules of lib/, checked by `npm test` (`npm run deps`). docs/architecture.md draws
// the same layers. A folder may import from its own layer and the layers below it, never from
// above; no import cycles anywhere, type-only imports included.

/** Bottom to top. Each entry is a layer: the folders (under lib/) in it. */
const LAYERS = [
  ['utils', 'clock', 'errors', 'principal'],
  ['request', 'stores', 'passwords', 'users', 'events', 'di', 'settings'],
  ['network', 'http'],
  ['authorization'],
  ['strategies'], // the strategy contract and registry: lib/strategies/*.ts
  ['policy'],
  ['decorators'],
  ['login', 'revocation'],
  ['strategies/dpop', 'strategies/introspection', 'strategies/jwt', 'strategies/api-key', 'strategies/basic', 'strategies/oidc', 'sessions', 'mfa', 'account-recovery'],
  ['passkeys'], // sign-in and step-up start sessions
  ['tokens'], // options, settings, scopes, client secrets, OAuth errors: lib/tokens/*.ts
  ['tokens/keys'],
  ['tokens/issuance'],
  ['tokens/grants'],
  ['tokens/endpoint'],
  ['graphql', 'websockets', 'manifest', 'resource-metadata'],
  ['context'],
  ['diagnostics'],
  ['guards'],
  ['openapi', 'testing', 'throttling', 'casl'],
  ['module'],
];

/** A folder's own files (not those of its subfolders that are layers of their own). */
const folderPath = (folder) => {
  const nested = LAYERS.flat().filter((other) => other.startsWith(`${folder}/`));
  return nested.length ? `^lib/${folder}/(?!(${nested.map((n) => n.slice(folder.length + 1)).join('|')})/)` : `^lib/${folder}/`;
};

const upwardRules = LAYERS.flatMap((layer, index) => {
  const above = LAYERS.slice(index + 1).flat();
  if (!above.length) return [];
  return layer.map((folder) => ({
    name: `no-upward-from-${folder.replace('/', '-')}`,
    comment: `lib/${folder} is in layer ${index}; it may not import from a higher layer (${above.join(', ')}). See docs/architecture.md.`,
    severity: 'error',
    from: { path: folderPath(folder) },
    to: { path: above.map(folderPath).join('|') },
  }));
});

/** Each third-party library is imported in one place, so swapping it touches one folder. */
const ONE_PLACE = {
  argon2: '^lib/passwords/',
  otplib: '^lib/mfa/',
  '@simplewebauthn/server': '^lib/passkeys/',
  '@nestjs/swagger': '^lib/openapi/',
  '@nestjs/throttler': '^lib/throttling/',
  '@nestjs/websockets': '^lib/context/',
  '@nestjs/graphql': '^$',
  jose: '^lib/(strategies|tokens|testing)/',
  ioredis: '^lib/stores/',
  '@casl/ability': '^lib/casl/',
  '@ucast/sql': '^lib/casl/',
  '@casl/prisma': '^lib/casl/prisma/',
  '@prisma/client': '^$',
};

const libraryRules = Object.entries(ONE_PLACE).map(([library, allowed]) => ({
  name: `${library.replace(/[@/]/g, '-')}-in-one-place`,
  comment: `${library} is imported only under ${allowed}.`,
  severity: 'error',
  from: { path: '^lib/', pathNot: allowed },
  to: { path: `node_modules/${library}/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles, type-only imports included, make layers meaningless and load order fragile.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'lib-stands-alone',
      comment: 'The library never imports tests, the sample, benchmarks or docs.',
      severity: 'error',
      from: { path: '^lib/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|sample|bench|docs)/' },
    },
    {
      name: 'index-only-at-the-top',
      comment: 'lib/index.ts is the public entry point; nothing inside lib/ imports it.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lib/index\\.ts$' },
    },
    ...upwardRules,
    ...libraryRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
