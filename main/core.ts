/**
 * The core: everything Tether does that is not a window. The Electron shell
 * and the browser-mode host both create one and connect their clients to it;
 * tests and benchmarks do the same with no transport at all.
 */
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo, EventName, EventPayload, Notice, Result } from '../preload/contract';
import { openDatabase } from '../db/open-database';
import { version } from '../package.json';
import { dispatch, type Caller } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { ptyBackend } from './backends/pty-backend';
import type { ShellBackend } from './backends/backend';
import { resolveShell, shellEnvironment } from './backends/login-shell';
import { createLogger, type Logger } from './log';
import { TerminalHost, type TerminalHostOptions } from './terminals/terminal-host';
import { zoneOptionsFromEnv } from './terminals/zone';
import { createWorkspaceStore } from './workspace/workspace-store';

export type CoreOptions = {
  dataDir: string;
  mode: AppInfo['mode'];
  /** Run this shell instead of the user's login shell (tests, config). */
  shell?: string;
  cwd?: string;
  backend?: ShellBackend;
  log?: Logger;
  zone?: TerminalHostOptions['zone'];
};

/** Delivers events to one client (a window, a socket). */
export type EventSink = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

/** One connected client: calls requests, receives events until disposed. */
export type CoreClient = {
  readonly id: string;
  call(name: unknown, payload: unknown): Promise<Result<unknown>>;
  dispose(): void;
};

export type Core = {
  readonly dataDir: string;
  readonly notices: readonly Notice[];
  connect(sink: EventSink): CoreClient;
  dispose(): Promise<void>;
};

export async function createCore(options: CoreOptions): Promise<Core> {
  const log = options.log ?? createLogger();
  const notices: Notice[] = [];
  const opened = await openDatabase(join(options.dataDir, 'tether.db'), { log: log.warn });
  if (opened.movedAside) {
    const { path, reason } = opened.movedAside;
    log.warn(`database unreadable (${reason}); moved to ${path}`);
    notices.push({
      level: 'warning',
      message: `Tether's database could not be read (${reason}). It was moved to ${path} and a fresh one was started; nothing was deleted.`,
    });
  }
  const shell = resolveShell(options.shell);
  if (shell.fallbackFrom) {
    notices.push({
      level: 'warning',
      message: `Your shell ${shell.fallbackFrom} could not be run; using ${shell.file} instead.`,
    });
  }
  const terminals = new TerminalHost({
    backend: options.backend ?? ptyBackend,
    shell: () => shell,
    cwd: options.cwd ?? homedir(),
    env: () => shellEnvironment(process.env, version),
    log,
    zone: { ...zoneOptionsFromEnv(), ...options.zone },
  });
  const workspace = createWorkspaceStore({ db: opened.db, terminals, log });
  // Repair the stored workspace before any client asks for it. Layout data cannot stop the
  // start (load repairs it); a database that cannot be written is reported to the client that
  // asks, rather than keeping every window from opening.
  await workspace.load().catch((error: unknown) => {
    log.error('could not load the workspace at start-up', error);
  });
  const handlers = createHandlers({
    db: opened.db,
    terminals,
    workspace,
    appInfo: () => ({
      version,
      mode: options.mode,
      dataDir: options.dataDir,
      platform: process.platform,
      notices,
    }),
  });

  return {
    dataDir: options.dataDir,
    notices,
    connect(sink) {
      const caller: Caller = { id: randomUUID(), emit: sink };
      return {
        id: caller.id,
        call: (name, payload) => dispatch(handlers, name, payload, caller, log),
        dispose() {
          terminals.detachClient(caller.id);
        },
      };
    },
    async dispose() {
      // A save in flight finishes (or fails) before its database goes away.
      await workspace.settled();
      terminals.dispose();
      await opened.close();
    },
  };
}
