/** Shared by the benchmark servers and the token signer; not secrets (loopback benchmark only). */
export const BENCH_SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
export const BENCH_ISSUER = 'https://bench.local';
/** The login-flood app's token service signs as another issuer, so `GET /item` stays a plain `jwt` request. */
export const BENCH_LOGIN_ISSUER = 'https://bench.local/login';
export const BENCH_AUDIENCE = 'bench-api';
/** The origin DPoP proofs name in `htu` (the DPoP variant's `dpop.origin`), whatever port the server has. */
export const BENCH_DPOP_ORIGIN = 'https://bench.local';
export const BENCH_USER = 'bench-user';
export const BENCH_PASSWORD = 'correct horse battery staple';
export const BENCH_CLIENT = 'bench-client';
/** The role every bench token carries (`roles` claim), required by the `@Roles` variant. */
export const BENCH_ROLE = 'user';
