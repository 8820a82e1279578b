/**
 * Runs before every test file: tmux started by anything under test (the tmux
 * backend, a test) talks to a private server in a temp dir of this file's
 * own, never a person's `tether` server; it is killed when the file ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tether-tmux-'));
process.env.TMUX_TMPDIR = dir;
delete process.env.TMUX;
delete process.env.TMUX_PANE;

afterAll(() => {
  spawnSync('tmux', ['-L', 'tether', 'kill-server'], { env: process.env, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});
