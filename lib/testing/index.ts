// nest-warden/testing: helpers for testing apps that use nest-warden.
export { FAKE_CLOCK_START, FakeClock } from './fake-clock.js';
export { actAs, FakeAuthStrategy, testPrincipal, type TestPrincipal } from './fake-auth.strategy.js';
export { signTestToken, type TestTokenClaims, type TestTokenOptions } from './sign-test-token.js';
export {
  expectForbidden,
  expectUnauthorized,
  type ForbiddenExpectation,
  type ResponseLike,
  type UnauthorizedExpectation,
} from './auth-assertions.js';
export { parseWwwAuthenticate, type Challenge } from './www-authenticate.js';
export { STORE_CONTRACT, type StoreContractCase, type StoreContractSubject } from '../stores/store-contract.js';
