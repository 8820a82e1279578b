// Unit and integration tests: next to the code, in Node, against real parts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{main,db,preload,renderer,electron,bench}/**/*.test.{ts,tsx}'],
    // node-pty and better-sqlite3 are native: separate processes, not worker threads.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    restoreMocks: true,
    // A private tmux server per test file (TMUX_TMPDIR), killed when the file ends.
    setupFiles: ['main/testing/vitest-setup.ts'],
  },
});
