/**
 * Which backend runs local sessions: tmux where a new enough tmux is
 * installed (sessions survive quitting the app), else pty, with the reason
 * every pty block shows. A setting can prefer pty; tmux is still kept for
 * recovering sessions an earlier run started in it.
 */
import type { ShellBackend } from './backend';
import { PtyBackend } from './pty-backend';
import { DEFAULT_RESTORE_LINES, TmuxBackend } from './tmux/tmux-backend';
import { atLeast, TmuxServer } from './tmux/tmux-server';
import type { Logger } from '../log';

export type LocalBackendOptions = {
  /** Where Tether writes its tmux config. */
  dataDir: string;
  /** `pty`: never tmux for new sessions; `tmux`/`auto`: tmux when it can be used. */
  prefer?: 'auto' | 'tmux' | 'pty';
  historyLimit?: number;
  restoreLines?: number;
  env?: NodeJS.ProcessEnv;
  log: Pick<Logger, 'debug' | 'info' | 'warn'>;
};

export type LocalBackends = {
  /** Runs new local sessions. */
  local: ShellBackend;
  /** Also asked at start-up for sessions an earlier run started. */
  recoverable: ShellBackend[];
  /** Where the tmux backend is usable: its server (tests and tools reach it). */
  tmux?: TmuxBackend;
};

export async function chooseLocalBackend(options: LocalBackendOptions): Promise<LocalBackends> {
  const probe = new TmuxServer({ configDir: options.dataDir, env: options.env });
  const version = await probe.version();
  const server = new TmuxServer({
    configDir: options.dataDir,
    historyLimit: options.historyLimit,
    env: options.env,
    version: version ?? undefined,
  });
  const pty = (why: string): PtyBackend => {
    options.log.info(`local sessions run on pty: ${why}`);
    return new PtyBackend(why);
  };
  if (!version) {
    return {
      local: pty(
        'tmux is not installed, so local shells end when Tether quits. Install tmux 3.0a or newer to keep them.',
      ),
      recoverable: [],
    };
  }
  if (!atLeast(version, 3, 0, 'a')) {
    return {
      local: pty(
        `tmux ${version.text} is too old to keep shells when Tether quits; 3.0a or newer is needed.`,
      ),
      recoverable: [],
    };
  }
  const pause = atLeast(version, 3, 2);
  if (!pause) {
    options.log.warn(
      `tmux ${version.text} has no pause mode (3.2+): while a page lags behind a flood, the shell waits for it`,
    );
  }
  const tmux = new TmuxBackend({
    server,
    features: { pause },
    restoreLines: options.restoreLines ?? DEFAULT_RESTORE_LINES,
    log: options.log,
  });
  if (options.prefer === 'pty') {
    return {
      local: pty(
        'Your settings prefer plain local shells (pty) to tmux: they end when Tether quits.',
      ),
      recoverable: [tmux],
      tmux,
    };
  }
  options.log.info(`local sessions run on tmux ${version.text} (tmux -L ${server.socketName})`);
  return { local: tmux, recoverable: [], tmux };
}
