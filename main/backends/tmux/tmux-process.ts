/**
 * A shell in a tmux session, driven by one control-mode client: the pane's raw
 * output, keys and pastes in, size, and its end.
 *
 * - The stream starts with a repaint of tmux's screen (history, screen,
 *   alternate screen, cursor, modes), and repaints again after tmux paused
 *   the output (pause-after) or the client had to be attached again: so what
 *   is fed from it always shows the pane as tmux has it.
 * - The end: the shell exited (remain-on-exit keeps the pane, dead, with its
 *   status, asked every second), or the session or server was killed from
 *   outside (the client's %exit, then the server is asked what happened).
 *   A client that ends while its session lives (a person ran `tmux detach -a`,
 *   or it stopped answering) is attached again.
 * - On an SSH host (options.link): a client lost with its link, or a host that
 *   cannot be asked, makes the shell `away` (never ended): its backend asks
 *   tmux again once the link is back, and comeBack() re-attaches and repaints,
 *   or ends it with the reason tmux gave.
 * - release() detaches and leaves the shell running; kill() ends the session.
 */
import { TetherError } from '../../../preload/tether-error';
import type { Logger } from '../../log';
import { LogDigest } from '../../log-digest';
import type { Gone, ShellExit, ShellProcess } from '../backend';
import { ExitOnce } from '../exit-once';
import { ControlClient } from './control-client';
import type { ControlBlock } from './control-parser';
import { inputCommands, quoteText } from './tmux-command';
import { buildRestore, restoreCommands } from './tmux-restore';
import { GONE, type TmuxServer, type TmuxSessionEntry } from './tmux-server';

export type TmuxFeatures = {
  /** tmux ≥ 3.2: `refresh-client -f pause-after` and `-A pane:pause|continue`. */
  pause: boolean;
};

/** For a shell on an SSH host: its backend brings it back once the link is up again. */
export type TmuxLinkHooks = {
  /** The shell lost its host: resume it (comeBack) when the link is back. */
  away(process: TmuxProcess): void;
  /** The shell is no longer driven (ended, released): forget it. */
  forget(process: TmuxProcess): void;
  /** Someone wants this shell (a block attached to it): connect now if the link is down. */
  wake(): void;
};

export type TmuxProcessOptions = {
  server: TmuxServer;
  features: TmuxFeatures;
  /** History lines a repaint brings back (older ones stay in tmux). */
  restoreLines: number;
  log: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Set on an SSH host: a lost link makes the shell wait, not end. */
  link?: TmuxLinkHooks;
  /** How a gone session is told (default: the local words). */
  gone?: Record<keyof typeof GONE, string>;
};

/** What the session row keeps to find the shell again after a restart. */
export type TmuxRef = { tmux: string; id: string; created: number };

/** How often the pane is asked whether its shell still runs. */
const POLL_MS = 1_000;
/**
 * Polls a client may leave unanswered, with nothing read from it, before it counts as stuck.
 * Counted in ticks of our own timer, so a busy event loop here is not taken for a stuck tmux.
 */
const STALL_POLLS = 5;
/**
 * Polls a dead pane may go without its exit status before the exit is reported without one:
 * a loaded tmux server can take seconds to reap the shell after the pane's end is read.
 */
const DEAD_STATUS_POLLS = 10;
/**
 * After this many of them, tmux is nudged to reap (see nudgeReaper): tmux 3.3a sometimes
 * leaves the shell a zombie, its SIGCHLD lost, until another child of the server exits.
 */
const NUDGE_AFTER_POLLS = 2;
/** Seconds of unread output after which tmux skips it and Tether repaints. */
const PAUSE_AFTER_SECONDS = 2;
const RESIZE_DEBOUNCE_MS = 30;
/** Re-attaches allowed within REATTACH_WINDOW_MS before the shell is given up. */
const MAX_REATTACHES = 3;
const REATTACH_WINDOW_MS = 30_000;
/** Output kept until the first listener subscribes (the opening repaint); then it streams. */
const MAX_EARLY_BYTES = 8 * 1024 * 1024;

export class TmuxProcess implements ShellProcess {
  readonly ref: string;
  private client: ControlClient;
  private readonly exit = new ExitOnce();
  private readonly listeners = new Set<(data: Buffer) => void>();
  private early: Buffer[] | null = [];
  private earlyBytes = 0;
  private earlyOverflowed = false;
  private state: 'running' | 'away' | 'released' | 'killed' | 'ended' = 'running';
  private readonly linkListeners = new Set<(up: boolean, why: string) => void>();
  /** Listeners were told the host is gone, and not yet that it is back. */
  private saidDown = false;
  /** The client's bytesRead at the last poll: anything read since means it is not stuck. */
  private lastRead = 0;
  /** A rename asked for while away, done once the shell is back. */
  private renameLater: { name: string | null } | undefined;
  private paused = false;
  private resyncing = false;
  private resyncAgain = false;
  /** Repaints asked for and not answered yet. */
  private repainting = 0;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  /** Poll ticks since the outstanding poll was sent; 0 when none is outstanding. */
  private unansweredTicks = 0;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private size: { cols: number; rows: number } | undefined;
  private reattaches: number[] = [];
  private buffers = 0;
  private deadWithoutStatus = 0;
  private readonly repaints: LogDigest;

  readonly kind = 'tmux' as const;

  private constructor(
    private entry: TmuxSessionEntry,
    private readonly options: TmuxProcessOptions,
    size: { cols: number; rows: number },
    away?: string,
  ) {
    this.repaints = new LogDigest(
      options.log,
      'debug',
      (why) => `tmux ${entry.sessionId}: ${why}; repainting`,
      (why, count, seconds) =>
        `tmux ${entry.sessionId}: repainted ${count} more times in the last ${seconds} s (${why})`,
    );
    // Said before the first repaint: a control client that attaches without a size can make
    // the window take tmux's default 80x24, and a repaint at another size loses lines.
    this.size = size;
    const ref: TmuxRef = {
      tmux: options.server.socketName,
      id: entry.tetherId,
      created: entry.created,
    };
    this.ref = JSON.stringify(ref);
    if (away !== undefined) {
      // Not asked yet (its host is not reachable now): a client that never runs, until comeBack.
      this.state = 'away';
      // Its session is `disconnected` from the start: comeBack says it is back.
      this.saidDown = true;
      this.client = ControlClient.ended();
      this.options.link?.away(this);
      return;
    }
    this.client = this.attach();
    this.startPolling();
  }

  /**
   * A shell on a host not reachable now (the app has just started): `away` until its
   * backend asks tmux and calls comeBack.
   */
  static away(
    ref: TmuxRef,
    options: TmuxProcessOptions,
    size: { cols: number; rows: number },
  ): TmuxProcess {
    const entry: TmuxSessionEntry = {
      sessionId: '',
      tetherId: ref.id,
      created: ref.created,
      paneId: '',
      paneDead: false,
      paneDeadStatus: null,
      panePid: -1,
      name: '',
    };
    return new TmuxProcess(entry, options, size, 'not asked yet');
  }

  /**
   * Attach to a session at the size the session had, and repaint its screen; resolves once
   * the repaint is in the stream.
   */
  static async open(
    entry: TmuxSessionEntry,
    options: TmuxProcessOptions,
    size: { cols: number; rows: number },
  ): Promise<TmuxProcess> {
    const process = new TmuxProcess(entry, options, size);
    try {
      await process.repaint();
    } catch (error) {
      process.release();
      throw error;
    }
    return process;
  }

  get pid(): number {
    return this.entry.panePid;
  }

  /** Tether's id for this session (the `@tether_id` of its tmux session). */
  get tetherId(): string {
    return this.entry.tetherId;
  }

  /** When tmux made the session; with the id, what tells it from a later one. */
  get created(): number {
    return this.entry.created;
  }

  /** Its host can be reached and the shell is driven; false while away. */
  linkUp(): boolean {
    return this.state !== 'away';
  }

  onLink(listener: (up: boolean, why: string) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  wake(): void {
    if (this.state === 'away') this.options.link?.wake();
  }

  /**
   * Its backend asked tmux after the link came back: the session lives (re-attach, repaint
   * its screen, running again) or is gone (ended with tmux's reason).
   */
  async comeBack(answer: TmuxSessionEntry | Gone): Promise<void> {
    if (this.state !== 'away') return;
    if ('state' in answer) {
      this.end({ exitCode: answer.exitCode ?? null, signal: null, reason: answer.reason });
      return;
    }
    if (answer.paneDead) {
      this.end({
        exitCode: answer.paneDeadStatus,
        signal: null,
        reason: `The shell exited with code ${answer.paneDeadStatus ?? 'unknown'} while its host could not be reached.`,
      });
      return;
    }
    this.entry = answer;
    this.state = 'running';
    this.reattaches = [];
    this.unansweredTicks = 0;
    this.deadWithoutStatus = 0;
    this.client = this.attach();
    this.startPolling();
    try {
      await this.repaint();
    } catch (error) {
      // The client's end (a link lost again) makes it away again; say nothing is back.
      this.options.log.warn(
        `tmux ${this.entry.sessionId}: repaint after the link came back failed`,
        error,
      );
      return;
    }
    this.sayUp();
  }

  /** Back and repainted: listeners told the host was gone hear that it is back. */
  private sayUp(): void {
    if (this.state !== 'running' || !this.saidDown) return;
    this.saidDown = false;
    if (this.renameLater) {
      const { name } = this.renameLater;
      this.renameLater = undefined;
      this.rename(name);
    }
    for (const listener of [...this.linkListeners]) listener(true, 'the host answers again');
  }
  onData(listener: (data: Buffer) => void): () => void {
    this.listeners.add(listener);
    if (this.early) {
      const early = this.early;
      this.early = null;
      for (const data of early) listener(data);
      if (this.earlyOverflowed) void this.resync('output came faster than it was taken');
    }
    return () => this.listeners.delete(listener);
  }

  onExit(listener: (exit: ShellExit) => void): () => void {
    return this.exit.on(listener);
  }

  write(data: string | Buffer): void {
    if (this.state === 'away') {
      throw new TetherError(
        'disconnected',
        'The host cannot be reached now; Tether is reconnecting. Nothing you type is sent until the session is back.',
      );
    }
    if (this.state !== 'running') return;
    // Typing in a pane makes its size the shell's (session-sizes.ts): that resize must reach
    // tmux before the keys, or a command typed at once runs at the old size.
    if (this.resizeTimer) this.sendSize();
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    // Buffer names are the server's, shared by every session: the pane makes them unique.
    const lines = inputCommands(
      this.entry.paneId,
      bytes,
      () => `tether-${this.entry.paneId.slice(1)}-${++this.buffers}`,
    );
    if (!this.client.send(lines)) {
      throw new TetherError('not_running', 'tmux is not taking input right now; try again.');
    }
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    if (this.state !== 'running') return;
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.sendSize(), RESIZE_DEBOUNCE_MS);
  }

  /**
   * The page is behind: stop passing output on, and never stop reading tmux. A control
   * client that stops reading makes tmux stop reading the pane, and tmux checks
   * pause-after only when it has output to queue, so the shell would freeze until the
   * client read again (measured). tmux 3.2+ is asked to pause the pane (it then discards
   * for us); older versions send on and the output is dropped here. resume() repaints.
   */
  pause(): void {
    if (this.paused) return;
    // While away, remembered: the page is still behind when the shell comes back.
    if (this.state === 'away') this.paused = true;
    if (this.state !== 'running') return;
    this.paused = true;
    if (this.options.features.pause) {
      this.client.send([`refresh-client -A '${this.entry.paneId}:pause'`]);
    }
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.state === 'running') void this.resync('the page caught up');
  }

  kill(): void {
    if (this.state === 'away') {
      // Its host cannot be asked now: the backend's remove() ends it there at the next contact.
      this.state = 'killed';
      this.end({ exitCode: null, signal: 1 });
      return;
    }
    if (this.state !== 'running') return;
    this.state = 'killed';
    this.stopTimers();
    this.client.close();
    this.options.server.kill(this.entry.sessionId).catch((error: unknown) => {
      this.options.log.warn(`tmux: could not kill session ${this.entry.sessionId}`, error);
    });
    this.end({ exitCode: null, signal: 1 });
  }

  release(): void {
    if (this.state !== 'running' && this.state !== 'away') return;
    this.state = 'released';
    this.stopTimers();
    this.client.close();
    this.listeners.clear();
    this.options.link?.forget(this);
  }

  rename(name: string | null): void {
    if (this.state === 'away') this.renameLater = { name };
    if (this.state !== 'running') return;
    // A one-shot command, not the control client's: on a host it waits until no client is
    // attaching (a rename is told to every control client; see notify-gate.ts).
    const rename = (wanted: string) =>
      this.options.server.run(['rename-session', '-t', this.entry.sessionId, '--', wanted]);
    rename(tmuxSessionName(name, this.entry.tetherId)).catch(() => {
      // Taken in tmux (by a session Tether does not know, or a name tmux folds the same way).
      rename(tmuxSessionName(name, this.entry.tetherId, true)).catch((error: unknown) => {
        this.options.log.warn(`tmux: could not rename ${this.entry.sessionId}`, error);
      });
    });
  }

  private attach(): ControlClient {
    const client = new ControlClient(this.options.server.control(this.entry.sessionId), {
      output: (pane, data) => {
        if (pane === this.entry.paneId) this.emit(data);
      },
      pause: (pane) => {
        // A repaint pauses the pane itself (its %pause comes inside its own reply); while
        // the page is behind, resume() repaints.
        if (pane === this.entry.paneId && this.repainting === 0 && !this.paused) {
          void this.resync('tmux paused the output');
        }
      },
      closed: (reason) => {
        if (client === this.client) void this.lost(reason);
      },
    });
    if (this.options.features.pause) {
      client.send([`refresh-client -f pause-after=${PAUSE_AFTER_SECONDS}`]);
    }
    if (this.size) client.send([this.sizeCommand(this.size)]);
    return client;
  }

  /**
   * Ask for the pane's whole state in one atomic `;`-list, and put the repaint in the
   * stream exactly where tmux answered.
   */
  private repaint(): Promise<void> {
    const pause = this.options.features.pause;
    const commands = restoreCommands(this.entry.paneId, {
      historyLines: this.options.restoreLines,
      pause,
    });
    // A %pause while the list runs is covered by its closing continue; one after it (even in
    // the same read) is tmux pausing the pane again, so the count drops at the answer itself.
    let open = true;
    const done = () => {
      if (open) this.repainting -= 1;
      open = false;
    };
    this.repainting += 1;
    return this.client
      .command(commands.join(' ; '), commands.length, (blocks: ControlBlock[]) => {
        done();
        try {
          const { bytes } = buildRestore(
            blocks.map((block) => block.lines),
            { pause },
          );
          this.emit(bytes, true);
        } catch (error) {
          // Runs inside the parser: a bad answer must not stop the stream.
          this.options.log.warn(`tmux ${this.entry.sessionId}: unreadable screen`, error);
        }
      })
      .then(
        () => undefined,
        (error: unknown) => {
          done();
          // A failed list stops before its last command: the pane must not stay paused.
          if (pause) this.client.send([`refresh-client -A '${this.entry.paneId}:continue'`]);
          throw error;
        },
      );
  }

  /**
   * A repaint for the mirror only (it let a flood go rather than parse it twice): handed to
   * `replace` at the point of the stream it describes, while the stream goes on untouched.
   * Not held (no pause around it): every %output before the answer is in the captures.
   */
  recapture(replace: (repaint: Buffer) => void): Promise<void> {
    if (this.state !== 'running') {
      return Promise.reject(new Error(`tmux ${this.entry.sessionId} is not reachable now`));
    }
    const pause = this.options.features.pause;
    const commands = restoreCommands(this.entry.paneId, {
      historyLines: this.options.restoreLines,
      pause,
      hold: false,
    });
    return this.client
      .command(commands.join(' ; '), commands.length, (blocks: ControlBlock[]) => {
        try {
          const lines = blocks.map((block) => block.lines);
          replace(buildRestore(lines, { pause, hold: false }).bytes);
        } catch (error) {
          // Runs inside the parser: a bad answer must not stop the stream.
          this.options.log.warn(`tmux ${this.entry.sessionId}: unreadable screen`, error);
        }
      })
      .then(() => undefined);
  }

  private async resync(why: string): Promise<void> {
    if (this.state !== 'running') return;
    if (this.resyncing) {
      // Asked again while one is on its way: once more after it.
      this.resyncAgain = true;
      return;
    }
    this.resyncing = true;
    try {
      // A page that lags through a flood makes one repaint per catch-up: summed up, not listed.
      this.repaints.note(why);
      await this.repaint();
      // Re-attached after a failed first attempt to come back: back all the same.
      this.sayUp();
    } catch (error) {
      this.options.log.warn(`tmux ${this.entry.sessionId}: repaint failed`, error);
    } finally {
      this.resyncing = false;
    }
    if (this.resyncAgain) {
      this.resyncAgain = false;
      await this.resync(why);
    }
  }

  private emit(data: Buffer, repaint = false): void {
    if (this.state !== 'running' || data.length === 0) return;
    // Skipped while the page is behind; resume() repaints what it missed.
    if (this.paused && !repaint) return;
    if (this.early) {
      // Nobody listens yet (the shell is being adopted): keep it, bounded.
      if (this.earlyBytes + data.length <= MAX_EARLY_BYTES) {
        this.early.push(data);
        this.earlyBytes += data.length;
      } else {
        this.earlyOverflowed = true;
      }
      return;
    }
    for (const listener of this.listeners) listener(data);
  }

  /** Ask whether the shell still runs; a client that stopped answering is replaced. */
  private poll(): void {
    if (this.state !== 'running' || !this.client.isOpen) return;
    const read = this.client.bytesRead;
    const heard = read !== this.lastRead;
    this.lastRead = read;
    if (this.unansweredTicks > 0) {
      // tmux answers after what it queued before the question (output, a repaint's long
      // reply): a client that is still delivering is behind, not stuck.
      if (heard) return;
      this.unansweredTicks += 1;
      if (this.unansweredTicks > STALL_POLLS) {
        this.options.log.warn(`tmux ${this.entry.sessionId}: the client stopped answering`);
        this.unansweredTicks = 0;
        this.client.kill();
      }
      return;
    }
    this.unansweredTicks = 1;
    const client = this.client;
    const format = quoteText('#{pane_dead} #{pane_dead_status} #{pane_dead_signal}');
    this.client
      .command(`display-message -p -t ${this.entry.paneId} ${format}`)
      .then(([block]) => {
        if (client === this.client) this.unansweredTicks = 0;
        const [dead, status, signal] = (block?.lines[0]?.toString('utf8') ?? '').split(' ');
        if (dead !== '1') return;
        // The pane can read its end before tmux has reaped the shell: its status comes
        // later, so an exit without one is asked again.
        if (!status && !signal && this.deadWithoutStatus++ < DEAD_STATUS_POLLS) {
          if (this.deadWithoutStatus === NUDGE_AFTER_POLLS) this.nudgeReaper();
          return;
        }
        this.end({
          exitCode: status ? Number(status) : null,
          signal: signal ? Number(signal) : null,
        });
      })
      .catch(() => {
        // The pane is gone (killed from outside); the client's end says the rest.
        if (client === this.client) this.unansweredTicks = 0;
      });
  }

  /**
   * The pane's shell has ended but tmux has not collected its status: measured on tmux 3.3a,
   * about one start in five, the shell stays a zombie (tmux's SIGCHLD lost) for as long as
   * nothing else of the server's ends. Any child of the server that ends makes tmux reap
   * every ended child, so a `run-shell` job that does nothing is enough (here or on a host;
   * `-b` so the command returns at once).
   */
  private nudgeReaper(): void {
    this.options.server.run(['run-shell', '-b', 'true']).catch((error: unknown) => {
      this.options.log.debug(`tmux ${this.entry.sessionId}: could not nudge tmux to reap`, error);
    });
  }

  /** The client ended without us asking: find out whether the shell is still there. */
  private async lost(reason: string | null | 'eof'): Promise<void> {
    if (this.state !== 'running') return;
    const remote = this.options.link !== undefined;
    if (remote && !this.options.server.transport.reachable()) {
      this.goAway('the connection to its host was lost');
      return;
    }
    let entry: TmuxSessionEntry | undefined;
    let running: boolean;
    try {
      const listed = await this.options.server.list();
      running = listed.running;
      entry = listed.sessions.find(
        (each) => each.tetherId === this.entry.tetherId && each.created === this.entry.created,
      );
    } catch (error) {
      if (remote) {
        // A host that cannot be asked ends nothing: the shell waits for the link.
        this.goAway(`tmux on its host could not be asked: ${describe(error)}`);
        return;
      }
      this.end({
        exitCode: null,
        signal: null,
        reason: `tmux could not be asked: ${describe(error)}`,
      });
      return;
    }
    if (this.state !== 'running') return;
    const words = this.options.gone ?? GONE;
    if (!running) {
      this.end({ exitCode: null, signal: null, reason: serverGoneReason(reason, words) });
    } else if (!entry) {
      this.end({
        exitCode: null,
        signal: null,
        reason: words.sessionKilled,
      });
    } else if (entry.paneDead) {
      // As in poll(): a loaded tmux may not have read the shell's status yet.
      if (entry.paneDeadStatus === null && this.deadWithoutStatus++ < DEAD_STATUS_POLLS) {
        if (this.deadWithoutStatus === NUDGE_AFTER_POLLS) this.nudgeReaper();
        setTimeout(() => void this.lost(reason), POLL_MS).unref?.();
        return;
      }
      this.end({ exitCode: entry.paneDeadStatus, signal: null });
    } else {
      this.reattach(entry, reason);
    }
  }

  /** The host cannot be reached: wait (typing refused) until the backend brings it back. */
  private goAway(why: string): void {
    if (this.state !== 'running') return;
    this.state = 'away';
    this.stopTimers();
    this.client.kill();
    this.options.log.info(`tmux ${this.entry.sessionId}: away (${why})`);
    this.saidDown = true;
    for (const listener of [...this.linkListeners]) listener(false, why);
    this.options.link?.away(this);
  }

  private reattach(entry: TmuxSessionEntry, reason: string | null | 'eof'): void {
    const now = Date.now();
    this.reattaches = this.reattaches.filter((at) => now - at < REATTACH_WINDOW_MS);
    if (this.reattaches.length >= MAX_REATTACHES) {
      if (this.options.link) {
        // On a host, a client that keeps failing (a lane that cannot connect) waits for the
        // backend to ask again; the session lives in tmux all along.
        this.goAway(`lost its tmux client ${MAX_REATTACHES} times in a row`);
        return;
      }
      this.end({
        exitCode: null,
        signal: null,
        reason: `Tether lost its tmux client ${MAX_REATTACHES} times in a row (${reason ?? 'exit'}); the session still runs in tmux.`,
      });
      return;
    }
    this.reattaches.push(now);
    this.entry = entry;
    this.options.log.info(
      `tmux ${entry.sessionId}: client ended (${reason ?? 'exit'}); attaching again`,
    );
    this.unansweredTicks = 0;
    this.client = this.attach();
    void this.resync('attached again');
  }

  private sendSize(): void {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = undefined;
    if (this.size && this.state === 'running') this.client.send([this.sizeCommand(this.size)]);
  }

  private sizeCommand({ cols, rows }: { cols: number; rows: number }): string {
    // The comma form works in every version; WxH only from 3.1.
    return `refresh-client -C ${cols},${rows}`;
  }

  private end(exit: ShellExit): void {
    if (this.state === 'ended' || this.state === 'released') return;
    if (this.state === 'running' || this.state === 'away') this.state = 'ended';
    this.stopTimers();
    this.client.close();
    this.options.link?.forget(this);
    this.exit.fire(exit);
    this.listeners.clear();
    this.linkListeners.clear();
  }

  private startPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = setInterval(() => this.poll(), POLL_MS);
    this.pollTimer.unref?.();
  }

  private stopTimers(): void {
    this.repaints.dispose();
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    clearTimeout(this.resizeTimer);
  }
}

/**
 * The name tmux shows (`tmux -L tether ls`): the Tether name, else the id. tmux folds `.`
 * and `:` (target syntax); `unique` adds the id's start, for a name tmux already has.
 */
export function tmuxSessionName(name: string | null, id: string, unique = false): string {
  const base = (name ?? id).replace(/[.:]/g, '_');
  return unique && name !== null ? `${base}-${id.slice(0, 8)}` : base;
}

function serverGoneReason(
  reason: string | null | 'eof',
  words: Record<keyof typeof GONE, string>,
): string {
  return reason && reason !== 'eof' && /unexpectedly/.test(reason)
    ? words.serverCrashed
    : words.serverGone;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
