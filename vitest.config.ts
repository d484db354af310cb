import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the CLI tests start `npx tsx` several times per test, slow on a loaded 2-core machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Integration tests start HTTP servers and databases; keep files isolated but allow parallel files.
    pool: 'forks',
  },
});
