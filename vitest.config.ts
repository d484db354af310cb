import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start HTTP servers and databases; keep files isolated but allow parallel files.
    pool: 'forks',
  },
});
