/**
 * A private tmux server for one test file: its own TMUX_TMPDIR (a fresh temp
 * dir) with the socket 'tether' inside, so a test never touches a person's
 * server, and every tmux started with `-f /dev/null` so no tmux.conf (the
 * system's or the person's) changes what the test sees.
 *
 *   let tmux: TestTmux;
 *   beforeAll(async () => { tmux = await startTestTmux(); });
 *   afterAll(() => tmux?.dispose());
 *
 * It does not start the server: the first `new-session` does, with `env`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir as systemTmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpAtExit } from './ssh/exit-cleanup';
import { runCommand } from './ssh/run-command';

export type TestTmux = {
  /** Environment to give every tmux process (and the core under test): { ...process.env, TMUX_TMPDIR }, with TMUX and TMUX_PANE removed. */
  env: NodeJS.ProcessEnv;
  tmpdir: string;
  /** Run `tmux -u -L tether -f /dev/null <args>` with that env; resolves stdout, rejects with stderr on non-zero exit. */
  run(args: string[]): Promise<string>;
  /** Kill the server (ignore "no server running") and remove the temp dir. */
  dispose(): Promise<void>;
};

/** How tmux is started: -f only matters when a command starts the server. */
const TMUX_ARGS = ['-u', '-L', 'tether', '-f', '/dev/null'];

/** A limit for a hung tmux, never a measure of speed. */
const RUN_TIMEOUT_MS = 15_000;

/** Make the temp dir and the env; start nothing. */
export async function startTestTmux(): Promise<TestTmux> {
  // Short: the socket path ($TMUX_TMPDIR/tmux-UID/tether) must fit in sun_path.
  const tmpdir = await mkdtemp(join(systemTmpdir(), 'tether-tmux-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: tmpdir };
  delete env.TMUX;
  delete env.TMUX_PANE;

  const forgetAtExit = cleanUpAtExit(() => {
    spawnSync('tmux', [...TMUX_ARGS, 'kill-server'], { env, stdio: 'ignore' });
    rmSync(tmpdir, { recursive: true, force: true });
  });

  const run = async (args: string[]): Promise<string> => {
    const result = await runCommand('tmux', [...TMUX_ARGS, ...args], {
      env,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    if (result.code !== 0) {
      throw new Error(result.stderr.trim() || `tmux ${args.join(' ')} exited with ${result.code}`);
    }
    return result.stdout;
  };

  let disposed = false;
  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    try {
      await run(['kill-server']);
    } catch (error) {
      // No server yet, or already gone: the socket is missing or refuses.
      if (!/no server running|error connecting/.test(String(error))) throw error;
    } finally {
      await rm(tmpdir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      forgetAtExit();
    }
  };

  return { env, tmpdir, run, dispose };
}
