/** Shared by the benchmark servers and the token signer; not secrets (loopback benchmark only). */
export const BENCH_SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
export const BENCH_ISSUER = 'https://bench.local';
export const BENCH_AUDIENCE = 'bench-api';
