/**
 * A session's shell from start to exit, for the session manager: which
 * backend runs it (local pty, or the SSH backend for any other connection),
 * starting it (a remote start is waited for outside the manager's queue, so
 * one slow host or an unanswered login prompt never holds up the others),
 * its output into the zone and mirror, and its exit as the session's end.
 */
import { connectionProblem, LOCAL_CONNECTION } from '../../preload/connection-name';
import { TetherError } from '../../preload/tether-error';
import type { SessionUpdate } from '../../db/schema';
import type { ShellBackend, ShellExit, ShellProcess, ShellSpec } from '../backends/backend';
import type { LifecycleEvent } from './lifecycle';
import type { LiveSession } from './live-session';
import type { SessionManagerOptions } from './session-options';

/** What the shells need of the manager. */
export type ShellHost = {
  options: Pick<
    SessionManagerOptions,
    | 'backend'
    | 'remote'
    | 'recoverable'
    | 'shell'
    | 'cwd'
    | 'env'
    | 'log'
    | 'mirrors'
    | 'exitSettleMs'
    | 'onOutput'
  >;
  /** Run in the manager's queue. */
  run(work: () => Promise<void>): Promise<void>;
  transition(live: LiveSession, event: LifecycleEvent, patch: SessionUpdate): Promise<boolean>;
  /** Record a change reality forced (a shell's new ref). */
  writeForced(live: LiveSession, patch: SessionUpdate): Promise<void>;
  /** The manager still holds this session (not deleted, not disposed). */
  tracks(live: LiveSession): boolean;
  /** Output arrived: the session's output time and activity. */
  active(live: LiveSession): void;
  now(): number;
};

export class SessionShells {
  constructor(private readonly host: ShellHost) {}

  /**
   * Start the session's shell. A local one starts here and now; a remote one (connecting,
   * maybe asking for a password) is waited for outside the queue, so one slow host never
   * holds up the others: the session stays `init` until its shell runs.
   */
  async start(live: LiveSession): Promise<void> {
    const generation = ++live.startGeneration;
    let backend: ShellBackend;
    let started: Promise<ShellProcess>;
    try {
      backend = this.backendFor(live.row.connection);
      started = backend.start(this.spec(live));
    } catch (error) {
      await this.startFailed(live, error);
      return;
    }
    if (live.row.connection === LOCAL_CONNECTION) {
      // A local start is quick: waited for in the queue, so the session runs when create returns.
      try {
        const shell = await started;
        await this.adoptShell(live, shell, 'started', shell.kind ?? backend.kind);
      } catch (error) {
        await this.startFailed(live, error);
      }
      return;
    }
    this.host.options.log.info(`session ${live.row.id}: connecting to ${live.row.connection}`);
    started.then(
      (shell) =>
        void this.host.run(async () => {
          if (this.isCurrentStart(live, generation)) {
            await this.adoptShell(
              live,
              shell,
              `started on ${live.row.connection}`,
              shell.kind ?? backend.kind,
            );
          } else {
            shell.kill();
          }
        }),
      (error: unknown) =>
        void this.host.run(async () => {
          if (this.isCurrentStart(live, generation)) await this.startFailed(live, error);
        }),
    );
  }

  /** What a backend needs to start (or find again) this session's shell. */
  spec(live: LiveSession): ShellSpec {
    const choice = this.host.options.shell();
    return {
      sessionId: live.row.id,
      name: live.row.name,
      connection: live.row.connection,
      file: choice.file,
      args: choice.args,
      cwd: this.host.options.cwd,
      env: { ...this.host.options.env(), TETHER_SESSION_ID: live.row.id },
      cols: live.row.cols,
      rows: live.row.rows,
    };
  }

  /** The start answering is the latest one, for a session that still waits for it. */
  private isCurrentStart(live: LiveSession, generation: number): boolean {
    return (
      this.host.tracks(live) && live.startGeneration === generation && live.row.status === 'init'
    );
  }

  private async startFailed(live: LiveSession, error: unknown): Promise<void> {
    live.pendingInput = [];
    live.pendingInputBytes = 0;
    const reason = TetherError.from(error).message;
    await this.host.transition(live, 'startFailed', { doneReason: reason });
  }

  /**
   * Drive a shell: its output into the zone and mirror, its exit as the session's end. A
   * session being started becomes `running`; a recovered one (already running) stays so.
   */
  async adoptShell(
    live: LiveSession,
    shell: ShellProcess,
    what: string,
    kind: ShellBackend['kind'] = live.row.backend,
  ): Promise<void> {
    live.shell = shell;
    live.stopShell = [
      shell.onData((data) => this.output(live, shell, data)),
      shell.onExit((exit) => {
        // Trailing output may land after the exit event; report the exit after it.
        setTimeout(
          () => void this.host.run(() => this.exited(live, shell, exit)),
          this.host.options.exitSettleMs ?? 20,
        );
      }),
    ];
    if (shell.onLink) {
      live.stopShell.push(
        shell.onLink((up, why) => void this.host.run(() => this.linkChanged(live, shell, up, why))),
      );
    }
    // A shell that can repaint its own screen lets the mirror skip what it would parse twice.
    const recapture = shell.recapture?.bind(shell);
    this.host.options.mirrors.setSource(live.row.id, recapture ? { recapture } : null);
    if (live.zone.isPaused) shell.pause();
    // The size may have changed while a remote shell was starting.
    shell.resize(live.row.cols, live.row.rows);
    // A restart may run on another backend than before (pty then, tmux now): the row says which.
    if (live.row.status === 'init') {
      await this.host.transition(live, 'started', { backendRef: shell.ref, backend: kind });
    } else if (live.row.backendRef !== shell.ref) {
      await this.host.writeForced(live, { backendRef: shell.ref });
    }
    await this.linkChanged(live, shell, shell.linkUp?.() ?? true, what);
    if (live.row.status === 'running') {
      for (const data of live.pendingInput) shell.write(data);
    }
    live.pendingInput = [];
    live.pendingInputBytes = 0;
    this.host.options.log.info(`session ${live.row.id}: ${what} (pid ${shell.pid})`);
  }

  /**
   * A remote shell's host went away or came back: `disconnected` while it cannot be
   * reached (the shell is not ended), `running` again once it was re-joined.
   */
  private async linkChanged(
    live: LiveSession,
    shell: ShellProcess,
    up: boolean,
    why: string,
  ): Promise<void> {
    if (live.shell !== shell || !this.host.tracks(live)) return;
    if (!up && live.row.status === 'running') {
      this.host.options.log.info(`session ${live.row.id}: disconnected (${why})`);
      await this.host.transition(live, 'linkLost', {});
    } else if (up && live.row.status === 'disconnected') {
      this.host.options.log.info(`session ${live.row.id}: running again (${why})`);
      await this.host.transition(live, 'linkBackAlive', {});
    }
  }

  /** The backend new sessions on this connection run on. */
  backendFor(connection: string): ShellBackend {
    if (connection === LOCAL_CONNECTION) return this.host.options.backend;
    const problem = connectionProblem(connection);
    if (problem) throw new TetherError('invalid_connection', problem);
    if (!this.host.options.remote) {
      throw new TetherError(
        'invalid_connection',
        `Only local shells can be started here, not ${connection}.`,
      );
    }
    return this.host.options.remote;
  }

  /**
   * The backend that runs (or ran) a session: on a host, the remote one (it runs tmux and
   * plain shells); here, the one of the kind its row names.
   */
  backendOf(live: LiveSession): ShellBackend | undefined {
    const { backend, remote, recoverable = [] } = this.host.options;
    if (live.row.connection !== LOCAL_CONNECTION) return remote;
    return [backend, ...recoverable].find((each) => each.kind === live.row.backend);
  }

  /** Why a session's shell does not survive (shown on its block); null if it does. */
  notDurable(live: LiveSession): string | null {
    const backend = this.backendOf(live);
    if (!backend) return null;
    if (backend.notDurableFor) return backend.notDurableFor(live.row.connection, live.row.backend);
    return backend.notDurable;
  }

  private output(live: LiveSession, shell: ShellProcess, data: Buffer): void {
    // Output from a shell this session no longer runs (a late read) is dropped.
    if (live.shell !== shell || !this.host.tracks(live)) return;
    live.zone.push(data);
    this.host.options.mirrors.write(live.row.id, data);
    this.host.options.onOutput?.(data.byteLength);
    this.host.active(live);
  }

  private async exited(live: LiveSession, shell: ShellProcess, exit: ShellExit): Promise<void> {
    if (live.shell !== shell) return;
    live.zone.flush();
    for (const stop of live.stopShell) stop();
    live.stopShell = [];
    live.shell = null;
    if (!this.host.tracks(live)) return;
    const reason =
      exit.reason ??
      (exit.signal !== null && exit.signal !== 0
        ? `The shell was killed by signal ${exit.signal}.`
        : `The shell exited with code ${exit.exitCode ?? 'unknown'}.`);
    // A shell found gone when its host came back ends from `disconnected`.
    const event = live.row.status === 'disconnected' ? 'linkBackGone' : 'exited';
    await this.host.transition(live, event, {
      exitCode: exit.exitCode,
      exitSignal: exit.signal,
      doneReason: reason,
    });
  }
}
