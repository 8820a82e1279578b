/**
 * Test rig for sessions: the core's real parts (a SQLite file, bash through
 * node-pty, the mirror worker, the session manager, the workspace store, the
 * checker and the API handlers) wired as core.ts wires them, but with the
 * parts in reach, the clock and the liveness check injectable, and the
 * checker run by the test instead of a timer. It is a Core, so TestClient
 * connects to it and calls the real API.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenedDatabase } from '../../db/open-database';
import type { Notice } from '../../preload/contract';
import { dispatch, type Caller } from '../api/dispatch';
import { createHandlers } from '../api/handlers';
import { shellEnvironment } from '../backends/login-shell';
import { chooseLocalBackend } from '../backends/local-backend';
import { ptyBackend } from '../backends/pty-backend';
import type { Core, CoreClient, EventSink } from '../core';
import { createLogger, type Logger } from '../log';
import { ConsistencyChecker } from '../sessions/consistency-checker';
import { createMirrorPool, type TestableMirrorPool } from '../sessions/mirror/mirror-pool';
import type { IdlePolicy } from '../sessions/session-info';
import { SessionManager } from '../sessions/session-manager';
import type { SessionManagerOptions } from '../sessions/session-options';
import { createWorkspaceStore, type WorkspaceStore } from '../workspace/workspace-store';
import { TestClient } from './core-harness';
import { ConnectionService } from '../connections/connection-service';

export type RigOptions = {
  /** Local sessions on tmux (this test file's private server) instead of pty. */
  local?: 'pty' | 'tmux';
  /** The wall clock of the manager and the checker (idle deadlines, reaping). */
  now?: () => number;
  idle?: Partial<IdlePolicy>;
  /** Whether a shell's pid is alive, as the checker asks (default: the OS). */
  isAlive?: (pid: number) => boolean;
  shell?: string;
  zone?: SessionManagerOptions['zone'];
  /** Run the checker once when the parts start, as the core does (default true). */
  checkAtStart?: boolean;
  log?: Logger;
};

type Parts = {
  opened: OpenedDatabase;
  mirrors: TestableMirrorPool;
  manager: SessionManager;
  workspace: WorkspaceStore;
  checker: ConsistencyChecker;
  handlers: ReturnType<typeof createHandlers>;
  connections: ConnectionService;
};

export class SessionRig implements Core {
  readonly notices: Notice[] = [];
  readonly log: Logger;
  private parts: Parts | undefined;
  private readonly callers = new Map<string, Caller>();
  private clients: TestClient[] = [];

  private constructor(
    readonly dataDir: string,
    private readonly options: RigOptions,
  ) {
    this.log = options.log ?? createLogger(process.env.TETHER_LOG ?? 'silent');
  }

  /** A rig on a fresh temp data directory. */
  static async start(options: RigOptions = {}): Promise<SessionRig> {
    const rig = new SessionRig(mkdtempSync(join(tmpdir(), 'tether-rig-')), options);
    try {
      await rig.open();
    } catch (error) {
      rmSync(rig.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      throw error;
    }
    return rig;
  }

  get db() {
    return this.current.opened.db;
  }
  get manager(): SessionManager {
    return this.current.manager;
  }
  get checker(): ConsistencyChecker {
    return this.current.checker;
  }
  get workspace(): WorkspaceStore {
    return this.current.workspace;
  }
  get mirrors(): TestableMirrorPool {
    return this.current.mirrors;
  }

  /** A new client of the real API, recording its events. */
  client(): TestClient {
    const client = new TestClient(this);
    this.clients.push(client);
    return client;
  }

  /** Nothing serves a rig: no address to tell anyone. */
  servedAt(): void {}

  connect(sink: EventSink): CoreClient {
    const caller: Caller = { id: randomUUID(), emit: sink };
    this.callers.set(caller.id, caller);
    return {
      id: caller.id,
      call: (name, payload) => dispatch(this.current.handlers, name, payload, caller, this.log),
      dispose: () => {
        this.callers.delete(caller.id);
        this.parts?.manager.clientGone(caller.id);
      },
    };
  }

  /** Everything queued in the manager so far has run (e.g. the detach a save started). */
  settled(): Promise<void> {
    return this.manager.exclusive(async () => {});
  }

  /** Stop every part and start new ones on the same data directory, as an app restart does. */
  async restart(): Promise<void> {
    for (const client of this.clients.splice(0)) client.dispose();
    await this.close();
    await this.open();
  }

  async dispose(): Promise<void> {
    for (const client of this.clients.splice(0)) client.dispose();
    await this.close();
    // A shell that was just hung up may still be writing its history into its HOME (here).
    rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }

  private get current(): Parts {
    if (!this.parts) throw new Error('the session rig is not running');
    return this.parts;
  }

  private async open(): Promise<void> {
    const { options, log } = this;
    const opened = await openDatabase(join(this.dataDir, 'tether.db'), { log: log.warn });
    const mirrors = createMirrorPool({
      onError: (error) => log.error('mirror worker failed', error),
    });
    const broadcast: EventSink = (name, payload) => {
      for (const caller of this.callers.values()) caller.emit(name, payload);
    };
    const shell = { file: options.shell ?? '/bin/bash', args: [] };
    const local =
      options.local === 'tmux'
        ? (await chooseLocalBackend({ dataDir: this.dataDir, prefer: 'tmux', log })).local
        : ptyBackend;
    if (local.kind !== (options.local ?? 'pty')) throw new Error(`no ${options.local} here`);
    const manager = new SessionManager({
      db: opened.db,
      backend: local,
      // Sessions on another connection (for the cross-connection rules) run a local shell:
      // the rig has no SSH host. main/connections tests use a real one.
      remote: {
        kind: 'plain',
        notDurable: 'The rig runs remote sessions as local shells.',
        start: (spec) => ptyBackend.start(spec),
        recover: () => ptyBackend.recover(),
        probe: (connection, refs) => ptyBackend.probe(connection, refs),
        remove: (ref) => ptyBackend.remove(ref),
      },
      mirrors,
      shell: () => shell,
      cwd: this.dataDir,
      // No dotfiles of this machine's user: a slow prompt or a hook would make tests flaky.
      env: () => ({ ...shellEnvironment(process.env), HOME: this.dataDir }),
      log,
      zone: options.zone,
      idle: options.idle,
      now: options.now,
      events: {
        changed: (session) => broadcast('sessionChanged', { session }),
        removed: (sessionId) => broadcast('sessionRemoved', { sessionId }),
        blockChanged: (block) => broadcast('blockChanged', { block }),
      },
    });
    await manager.start();
    const workspace = createWorkspaceStore({
      db: opened.db,
      log,
      sessions: {
        closed: (blockIds) => void manager.blocksClosed(blockIds),
        createFor: (connection) => manager.createForBlock(connection),
        bound: (blockId, sessionId) => manager.bindNewBlock(blockId, sessionId),
      },
    });
    await workspace.load();
    const checker = new ConsistencyChecker({
      db: opened.db,
      manager,
      log,
      now: options.now,
      isAlive: options.isAlive,
    });
    if (options.checkAtStart ?? true) await checker.run();
    // No ~/.ssh in the data dir: SSH connections fail cleanly; the rig tests local sessions.
    const connections = new ConnectionService({
      db: opened.db,
      log,
      home: this.dataDir,
      localUser: 'tether',
      events: {
        changed: (status) => broadcast('connectionChanged', status),
        opened: (prompt) => broadcast('sshPrompt', prompt),
        closed: (promptId) => broadcast('sshPromptClosed', { promptId }),
      },
    });
    const handlers = createHandlers({
      sessions: manager,
      checker,
      workspace,
      mirrors,
      connections,
      appInfo: () => ({
        version: '0.0.0-test',
        mode: 'browser',
        dataDir: this.dataDir,
        platform: process.platform,
        notices: this.notices,
      }),
    });
    this.parts = { opened, mirrors, manager, workspace, checker, handlers, connections };
  }

  private async close(): Promise<void> {
    const parts = this.parts;
    if (!parts) return;
    this.parts = undefined;
    parts.checker.stop();
    await parts.workspace.settled();
    await parts.manager.dispose();
    await parts.connections.dispose();
    await parts.mirrors.dispose();
    await parts.opened.close();
  }
}
