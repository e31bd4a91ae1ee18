// nest-warden/openapi: the OpenAPI side of nest-warden. A separate entry point because it imports
// @nestjs/swagger, an optional peer dependency: `import 'nest-warden'` must work without it.
export { createAuthDocument } from './create-auth-document.js';
export type { AuthDocumentOptions, OAuth2PasswordFlowOptions } from './auth-document.options.js';
