import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Path aliases from tsconfig.json (`nest g library` adds some). The Nest 12 CLI generates the
  // vite-tsconfig-paths plugin for this; Vite 8, which vitest 4.1 installs, does it itself.
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    root: './',
    include: ['**/*.e2e-spec.ts'],
  },
});
