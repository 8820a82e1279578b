/**
 * The core: everything Tether does that is not a window. The Electron shell
 * and the browser-mode host both create one and connect their clients to it;
 * tests and benchmarks do the same with no transport at all.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { AppInfo, EventName, EventPayload, Notice, Result } from '../preload/contract';
import { openDatabase } from '../db/open-database';
import { version } from '../package.json';
import { dispatch, type Caller } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { chooseLocalBackend } from './backends/local-backend';
import { ConnectionService } from './connections/connection-service';
import { SshBackend } from './connections/ssh-backend';
import type { ShellBackend } from './backends/backend';
import { resolveShell, shellEnvironment } from './backends/login-shell';
import { createLogger, type Logger } from './log';
import { ConsistencyChecker } from './sessions/consistency-checker';
import { isDefaultDataDir } from './data-dir';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { FloodMemory } from './flood-memory';
import { describeTightened, ensurePrivateFile, makePrivate } from './private-files';
import { mallocTrimmer } from './malloc-trim';
import { createMirrorPool } from './sessions/mirror/mirror-pool';
import type { IdlePolicy } from './sessions/session-info';
import { SessionManager } from './sessions/session-manager';
import type { SessionManagerOptions } from './sessions/session-options';
import { zoneOptionsFromEnv } from './terminals/zone';
import { createWorkspaceStore } from './workspace/workspace-store';
import { listBlocks, setBlockSession } from '../db/repositories/blocks';
import { countSessions, getSession } from '../db/repositories/sessions';
import {
  installId,
  localBackendFromEnv,
  readSessionSettings,
  sshBackendFromEnv,
} from './core-settings';

export type CoreOptions = {
  dataDir: string;
  mode: AppInfo['mode'];
  /** Run this shell instead of the user's login shell (tests, config). */
  shell?: string;
  cwd?: string;
  /** Run local sessions on this backend instead of choosing one (tests). */
  backend?: ShellBackend;
  /**
   * Local sessions on tmux where it can be used (`auto`, the default), or always on pty.
   * Default: the `localBackend` setting, else TETHER_LOCAL_BACKEND, else auto.
   */
  localBackend?: 'auto' | 'tmux' | 'pty';
  /** tmux: its environment (TMUX_TMPDIR keeps test servers apart), history and repaint lines. */
  tmux?: { env?: NodeJS.ProcessEnv; historyLimit?: number; restoreLines?: number };
  log?: Logger;
  zone?: SessionManagerOptions['zone'];
  idle?: Partial<IdlePolicy>;
  /** Variables set for every shell on top of the app's environment (tests pin HOME). */
  env?: Record<string, string>;
  /** How often the consistency checker runs (default 60 s, or TETHER_CHECK_INTERVAL_MS). */
  checkIntervalMs?: number;
  /** SSH: whose ~/.ssh (default: the user's home), the agent, and test seams. */
  ssh?: {
    home?: string;
    agentSocket?: string;
    resolve?: (host: string) => Promise<string>;
    backoffMs?: number[];
    stallAfterMs?: number;
    linkIdleMs?: number;
    /** `plain`: never tmux on hosts. Default: the `sshBackend` setting, else TETHER_SSH_BACKEND, else auto. */
    backend?: 'auto' | 'plain';
    /** tmux features forced off on hosts (tests: a host with tmux 3.0a's limits). */
    tmuxFeatures?: { pause?: boolean };
  };
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
  /** Browser mode's address, for a second start on the same data directory to name. */
  servedAt(url: string): void;
  dispose(): Promise<void>;
};

/**
 * Starts the core on its data directory, which it holds alone until disposed: a second
 * core on the same directory (another host, in this process or another) throws
 * DataDirInUseError before it opens anything.
 */
export async function createCore(options: CoreOptions): Promise<Core> {
  // The database and shell history live here; other users have no business reading them.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(options.dataDir, options.mode);
  try {
    return await startCore(options, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startCore(options: CoreOptions, lock: DataDirLock): Promise<Core> {
  const log = options.log ?? createLogger();
  const notices: Notice[] = [];
  const tightened = makePrivate(options.dataDir, isDefaultDataDir(options.dataDir));
  if (tightened.length > 0) log.warn(describeTightened(tightened));
  const databaseFile = join(options.dataDir, 'tether.db');
  ensurePrivateFile(databaseFile);
  const opened = await openDatabase(databaseFile, { log: log.warn });
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
  const clients = new Map<string, Caller>();
  const broadcast: EventSink = (name, payload) => {
    for (const caller of clients.values()) caller.emit(name, payload);
  };
  const mirrors = createMirrorPool({
    onError: (error) =>
      log.error(
        'the session mirror worker stopped; a new one starts, and mirrors are rebuilt from tmux (or from the replay)',
        error,
      ),
  });
  const connections = new ConnectionService({
    db: opened.db,
    log,
    home: options.ssh?.home ?? homedir(),
    localUser: userInfo().username,
    agentSocket: options.ssh?.agentSocket ?? process.env.SSH_AUTH_SOCK,
    resolve: options.ssh?.resolve,
    backoffMs: options.ssh?.backoffMs,
    stallAfterMs: options.ssh?.stallAfterMs,
    events: {
      changed: (status) => broadcast('connectionChanged', status),
      opened: (prompt) => broadcast('sshPrompt', prompt),
      closed: (promptId) => broadcast('sshPromptClosed', { promptId }),
    },
  });
  const settings = await readSessionSettings(opened.db);
  const loaded: { manager?: SessionManager } = {};
  const sshBackend = new SshBackend(connections, {
    idleMs: options.ssh?.linkIdleMs,
    log,
    owner: await installId(opened.db),
    // Until the sessions are loaded, every session counts as known (nothing is ended).
    isKnown: async (id) =>
      !loaded.manager ||
      loaded.manager.sessions.has(id) ||
      (await getSession(opened.db, id)) !== undefined,
    prefer: options.ssh?.backend ?? settings.sshBackend ?? sshBackendFromEnv() ?? 'auto',
    historyLimit: options.tmux?.historyLimit ?? settings.tmuxHistoryLimit,
    restoreLines: options.tmux?.restoreLines,
    tmuxFeatures: options.ssh?.tmuxFeatures,
  });
  const locals = await chooseLocalBackend({
    dataDir: options.dataDir,
    prefer: options.localBackend ?? settings.localBackend ?? localBackendFromEnv() ?? 'auto',
    historyLimit: options.tmux?.historyLimit ?? settings.tmuxHistoryLimit,
    restoreLines: options.tmux?.restoreLines,
    env: options.tmux?.env,
    log,
  });
  // After a flood, this process and the mirror worker give back what it used.
  const floodMemory = new FloodMemory({
    alsoCollect: () => mirrors.collectGarbage(),
    trim: mallocTrimmer(),
    collected: (bytes) =>
      log.debug(`a flood of ${Math.round(bytes / 1048576)} MiB is over; memory collected`),
  });
  const sessions = new SessionManager({
    db: opened.db,
    onOutput: (bytes) => floodMemory.output(bytes),
    backend: options.backend ?? locals.local,
    remote: sshBackend,
    recoverable: options.backend ? [locals.local, ...locals.recoverable] : locals.recoverable,
    mirrors,
    shell: () => shell,
    cwd: options.cwd ?? homedir(),
    env: () => ({ ...shellEnvironment(process.env, version), ...options.env }),
    log,
    zone: { ...zoneOptionsFromEnv(), ...options.zone },
    idle: { ...settings.idle, ...options.idle },
    events: {
      changed: (session) => broadcast('sessionChanged', { session }),
      removed: (sessionId) => broadcast('sessionRemoved', { sessionId }),
      blockChanged: (block) => broadcast('blockChanged', { block }),
    },
  });
  loaded.manager = sessions;
  await sessions.start();
  await giveBlocksSessions(opened.db, sessions, log);
  const workspace = createWorkspaceStore({
    db: opened.db,
    log,
    sessions: {
      closed: (blockIds) =>
        void sessions.blocksClosed(blockIds).catch((error: unknown) => {
          log.error('closed blocks could not be detached from their sessions', error);
        }),
      createFor: (connection) => sessions.createForBlock(connection),
      bound: (blockId, sessionId) => sessions.bindNewBlock(blockId, sessionId),
    },
  });
  // Repair the stored workspace before any client asks for it. Layout data cannot stop the
  // start (load repairs it); a database that cannot be written is reported to the client that
  // asks, rather than keeping every window from opening.
  await workspace.load().catch((error: unknown) => {
    log.error('could not load the workspace at start-up', error);
  });
  const checker = new ConsistencyChecker({
    db: opened.db,
    manager: sessions,
    log,
    intervalMs: options.checkIntervalMs ?? checkIntervalFromEnv(),
  });
  await checker.start();
  const handlers = createHandlers({
    sessions,
    checker,
    workspace,
    mirrors,
    connections,
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
      clients.set(caller.id, caller);
      return {
        id: caller.id,
        call: (name, payload) => dispatch(handlers, name, payload, caller, log),
        dispose() {
          clients.delete(caller.id);
          sessions.clientGone(caller.id);
        },
      };
    },
    async dispose() {
      try {
        // A save in flight finishes (or fails) before its database goes away.
        checker.stop();
        await workspace.settled();
        connections.prompts.cancelAll();
        await sessions.dispose();
        sshBackend.dispose();
        await connections.dispose();
        await mirrors.dispose();
        floodMemory.dispose();
        await opened.close();
      } finally {
        lock.release();
      }
    },
    servedAt(url) {
      lock.describe({ url });
    },
  };
}

/**
 * Blocks from before sessions existed show none; each gets a session of its own
 * the first time this version starts (a database with no sessions yet). Later,
 * a block without a session is one the user detached, and stays so.
 */
async function giveBlocksSessions(
  db: Parameters<typeof listBlocks>[0],
  sessions: SessionManager,
  log: Logger,
): Promise<void> {
  if ((await countSessions(db)) > 0) return;
  for (const block of await listBlocks(db)) {
    if (block.sessionId) continue;
    const sessionId = await sessions.createForBlock(block.connection);
    await setBlockSession(db, block.id, sessionId);
    await sessions.bindNewBlock(block.id, sessionId);
    log.info(`block ${block.id} now shows new session ${sessionId}`);
  }
}

function checkIntervalFromEnv(): number | undefined {
  const value = Number(process.env.TETHER_CHECK_INTERVAL_MS);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
