/**
 * Durable sessions on one SSH host: its private tmux server (`tmux -u -L
 * tether`, options set per command, nothing written on the host), the shells
 * Tether drives there, and bringing them back after the link was lost or the
 * app restarted.
 *
 * - What the host offers is asked once per link (host-tmux.ts).
 * - A shell whose link is lost is `away` (TmuxProcess). When the host's link
 *   is up again, one query (`list-sessions` and `list-clients` together)
 *   decides for every away shell: alive → stale control clients left by the
 *   dead link are detached, then it re-attaches and repaints; gone → it ends
 *   with the reason.
 * - Sessions to end that could not be reached (deleted or reaped while the
 *   host was away), and sessions this installation made that the app no
 *   longer knows (deleted before a restart), are killed at the next contact.
 */
import type { Gone, Liveness, ShellSpec } from '../backends/backend';
import { livenessIn, parseRef, TmuxBackend, type SessionPlan } from '../backends/tmux/tmux-backend';
import {
  TmuxProcess,
  type TmuxFeatures,
  type TmuxProcessOptions,
} from '../backends/tmux/tmux-process';
import { atLeast, TmuxServer, type TmuxListing } from '../backends/tmux/tmux-server';
import { TmuxCommandError } from '../backends/tmux/tmux-transport';
import type { Logger } from '../log';
import type { ConnectionService } from './connection-service';
import { probeHostTmux, type HostTmux } from './host-tmux';
import type { SshLanes } from './ssh-lanes';
import type { SshLink } from '../ssh/ssh-link';
import { SshTmuxTransport } from './ssh-tmux-transport';

export type RemoteTmuxOptions = {
  connections: ConnectionService;
  lanes: SshLanes;
  /** This installation's id, written on each session (`@tether_owner`). */
  owner: string;
  /** Whether the app still has a session by this id (others of ours are ended on the host). */
  isKnown: (sessionId: string) => Promise<boolean>;
  historyLimit?: number;
  restoreLines?: number;
  /** Features forced off (tests: a host that behaves like tmux 3.0a). */
  features?: Partial<TmuxFeatures>;
  log: Logger;
};

/** Variables given to a new session on the host (`-e`, tmux 3.2+); as sshd's AcceptEnv would. */
const SENT_VARIABLES =
  /^(LANG|LC_[A-Z_]+|COLORTERM|TERM_PROGRAM|TERM_PROGRAM_VERSION|TETHER_SESSION_ID)$/;

/** How often an away shell is asked for again while the link is up but tmux did not answer. */
const RETRY_MS = 3_000;

export class RemoteTmuxHost {
  private readonly probed = new WeakMap<SshLink, Promise<HostTmux>>();
  private answer: HostTmux | undefined;
  private backend: TmuxBackend | undefined;
  private readonly transport: SshTmuxTransport;
  /** Shared by every shell of this host: set up once the host was asked. */
  private readonly shared: TmuxProcessOptions;
  private readonly away = new Set<TmuxProcess>();
  /** Tether ids of sessions to end on the host at the next contact. */
  private readonly removeLater = new Set<string>();
  /** A new link: sessions of ours the app no longer knows are looked for once. */
  private sweepDue = false;
  private resuming: Promise<void> | undefined;
  private resumeAgain = false;
  private waking = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    readonly name: string,
    private readonly options: RemoteTmuxOptions,
  ) {
    this.transport = new SshTmuxTransport({
      name,
      lanes: options.lanes,
      resolved: () => options.connections.target(name),
      linkUp: () => options.connections.isUp(name),
      program: 'tmux',
    });
    this.shared = {
      server: this.serverFor(undefined, 'screen-256color'),
      features: { pause: false },
      restoreLines: options.restoreLines ?? 5_000,
      log: options.log,
      link: {
        away: (process) => this.shellAway(process),
        forget: (process) => this.away.delete(process),
        wake: () => void this.wake(),
      },
      gone: goneWords(name),
    };
  }

  /** Why this host's sessions are plain shells, once it was asked; null if tmux is used. */
  get plainReason(): string | null {
    return this.answer && !this.answer.usable ? this.answer.reason : null;
  }

  /** tmux is there but cannot be used (it failed to start a session): plain shells from now. */
  unusable(reason: string): void {
    this.answer = { usable: false, reason };
    this.options.log.warn(`ssh ${this.name}: ${reason}`);
  }

  /** What the host offers, asked once per link (connecting if the link is down). */
  async ask(): Promise<HostTmux> {
    const { connections, lanes } = this.options;
    const resolved = await connections.target(this.name);
    const link = await connections.link(this.name, resolved, 0);
    let answer = this.probed.get(link);
    if (!answer) {
      answer = probeHostTmux(
        (command) => lanes.open(this.name, resolved, (each) => each.exec(command)),
        this.name,
      );
      this.probed.set(link, answer);
      answer.then(
        (result) => {
          if (!result.usable) return;
          this.sweepDue = true;
          queueMicrotask(() => void this.resume());
        },
        () => this.probed.delete(link),
      );
    }
    const result = await answer;
    this.adopt(result);
    return result;
  }

  /** A new session in the host's tmux (ask() said tmux is usable). */
  start(spec: ShellSpec): Promise<TmuxProcess> {
    if (!this.backend) throw new Error(`tmux on ${this.name} has not been asked yet`);
    return this.backend.start(spec);
  }

  /**
   * A session from an earlier run: away until the host is asked (when a block wants it or
   * the link comes up), so start-up never waits for a host or a login prompt.
   */
  recover(ref: string, spec: ShellSpec): TmuxProcess | Gone {
    const parsed = parseRef(ref);
    if (!parsed) return { state: 'gone', reason: 'Its tmux session is not recorded.' };
    return TmuxProcess.away(parsed, this.shared, { cols: spec.cols, rows: spec.rows });
  }

  /** Whether each session still exists, asked of the host's tmux; unreachable while the link is down. */
  async probe(refs: readonly string[]): Promise<Map<string, Liveness>> {
    const answers = new Map<string, Liveness>();
    let listed: TmuxListing | undefined;
    let why = `${this.name} cannot be reached now`;
    if (this.backend && this.transport.reachable()) {
      try {
        listed = await this.shared.server.list();
      } catch (error) {
        why = describe(error);
      }
    }
    const words = goneWords(this.name);
    for (const ref of refs) {
      answers.set(
        ref,
        listed ? livenessIn(listed, ref, words) : { state: 'unreachable', reason: why },
      );
    }
    return answers;
  }

  /** End a session on the host now, or at the next contact if it cannot be reached. */
  async remove(ref: string): Promise<void> {
    const parsed = parseRef(ref);
    if (!parsed) return;
    this.removeLater.add(parsed.id);
    if (this.backend && this.transport.reachable()) await this.resume();
  }

  /** The host's main link changed: once it is up, away shells are asked for. */
  linkChanged(state: string): void {
    if (state === 'connected' && (this.away.size > 0 || this.removeLater.size > 0)) {
      void this.resume();
    }
  }

  /** Someone wants an away shell: connect now (a login prompt shows in the block), then resume. */
  async wake(): Promise<void> {
    if (this.away.size === 0 || this.waking || this.disposed) return;
    if (this.transport.reachable()) {
      await this.resume();
      return;
    }
    this.waking = true;
    try {
      await this.ask();
    } catch (error) {
      this.options.log.info(`ssh ${this.name}: not reachable yet (${describe(error)})`);
      return;
    } finally {
      this.waking = false;
    }
    await this.resume();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.away.clear();
  }

  private shellAway(process: TmuxProcess): void {
    this.away.add(process);
    // The link is up but tmux did not answer (a client stopped answering): ask again soon.
    if (this.transport.reachable()) this.retryLater();
  }

  private retryLater(): void {
    if (this.retryTimer || this.disposed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.transport.reachable()) void this.resume();
    }, RETRY_MS);
    this.retryTimer.unref?.();
  }

  /** Ask tmux once for every away shell; one query at a time, again if asked meanwhile. */
  private resume(): Promise<void> {
    if (this.resuming) {
      this.resumeAgain = true;
      return this.resuming;
    }
    this.resuming = (async () => {
      do {
        this.resumeAgain = false;
        await this.resumeOnce();
      } while (this.resumeAgain && !this.disposed);
    })().finally(() => {
      this.resuming = undefined;
    });
    return this.resuming;
  }

  private async resumeOnce(): Promise<void> {
    const due = this.away.size > 0 || this.removeLater.size > 0 || this.sweepDue;
    if (this.disposed || !due) return;
    this.sweepDue = false;
    let host: HostTmux;
    try {
      host = await this.ask();
    } catch (error) {
      this.options.log.info(`ssh ${this.name}: could not be asked (${describe(error)})`);
      this.retryLater();
      return;
    }
    const waiting = [...this.away];
    if (!host.usable) {
      for (const process of waiting) {
        this.away.delete(process);
        void process.comeBack({
          state: 'gone',
          reason: `${host.reason} Its session cannot be resumed.`,
        });
      }
      return;
    }
    const server = this.shared.server;
    let listed: TmuxListing;
    try {
      listed = await server.list({ clients: true });
    } catch (error) {
      this.options.log.warn(`ssh ${this.name}: tmux did not answer`, error);
      this.retryLater();
      return;
    }
    const words = goneWords(this.name);
    if (!listed.running) {
      this.removeLater.clear();
      for (const process of waiting) {
        this.away.delete(process);
        void process.comeBack({ state: 'gone', reason: words.serverGone });
      }
      return;
    }
    const removed = await this.tidy(listed, waiting);
    if (this.disposed) return;
    if (waiting.length > 0) {
      this.options.log.info(`ssh ${this.name}: tmux asked for ${waiting.length} shell(s)`);
    }
    for (const process of waiting) {
      if (!this.away.has(process)) continue;
      this.away.delete(process);
      const entry = listed.sessions.find(
        (each) => each.tetherId === process.tetherId && each.created === process.created,
      );
      const gone = !entry || removed.has(entry.sessionId);
      void process.comeBack(gone ? { state: 'gone', reason: words.sessionKilled } : entry);
    }
  }

  /**
   * Before anything re-attaches: detach control clients still attached to away sessions
   * (left by the dead link; a plain `tmux attach` is left alone), and end the sessions
   * to remove and those of ours the app no longer knows. One command list.
   */
  private async tidy(listed: TmuxListing, waiting: readonly TmuxProcess[]): Promise<Set<string>> {
    const awayIds = new Set(waiting.map((process) => process.tetherId));
    const awaySessions = new Set(
      listed.sessions.filter((each) => awayIds.has(each.tetherId)).map((each) => each.sessionId),
    );
    const commands: string[][] = [];
    const removed = new Set<string>();
    for (const client of listed.clients) {
      if (client.control && awaySessions.has(client.sessionId)) {
        commands.push(['detach-client', '-t', client.name]);
      }
    }
    const ours = listed.sessions.filter((entry) => entry.owner === this.options.owner);
    // Asked of the database (another Tether on the same data dir may have just made one);
    // a session that cannot be looked up counts as known.
    const known = await Promise.all(
      ours.map((entry) => this.options.isKnown(entry.tetherId).catch(() => true)),
    );
    const orphans = new Set(
      ours.filter((_, index) => !known[index]).map((entry) => entry.sessionId),
    );
    for (const entry of listed.sessions) {
      if (this.removeLater.has(entry.tetherId) || orphans.has(entry.sessionId)) {
        commands.push(['kill-session', '-t', entry.sessionId]);
        removed.add(entry.sessionId);
      }
    }
    this.removeLater.clear();
    if (commands.length === 0) return removed;
    this.options.log.info(
      `ssh ${this.name}: ${commands.map((command) => command.join(' ')).join('; ')}`,
    );
    const args = commands.flatMap((command, index) => (index === 0 ? command : [';', ...command]));
    await this.shared.server.run(args).catch((error: unknown) => {
      this.options.log.warn(`ssh ${this.name}: could not tidy tmux`, error);
    });
    return removed;
  }

  private adopt(result: HostTmux): void {
    this.answer = result;
    if (!result.usable) return;
    const current = this.shared.server.knownVersion;
    if (this.backend && current?.text === result.version.text) return;
    this.transport.program = result.program;
    const server = this.serverFor(result.version, result.terminal);
    const features: TmuxFeatures = {
      pause: atLeast(result.version, 3, 2),
      ...this.options.features,
    };
    this.backend = new TmuxBackend({
      server,
      features,
      restoreLines: this.shared.restoreLines,
      log: this.options.log,
      plan: remotePlan,
      owner: this.options.owner,
      link: this.shared.link,
      gone: this.shared.gone,
      writeConfig: false,
      shellOptions: this.shared,
    });
    this.options.log.info(
      `ssh ${this.name}: sessions run on tmux ${result.version.text} (${result.program} -L tether)${features.pause ? '' : ', without pause flow control'}`,
    );
  }

  private serverFor(version: TmuxServer['knownVersion'], terminal: string): TmuxServer {
    return new TmuxServer({
      // Nothing is written on a host: every option is set with each new session.
      configPath: '/dev/null',
      transport: this.transport,
      version,
      terminal,
      historyLimit: this.options.historyLimit,
      env: {},
    });
  }
}

/** The host's default shell, as a login shell in the home directory, as `ssh host` gives. */
function remotePlan(spec: ShellSpec, features: TmuxFeatures): SessionPlan {
  const args: string[] = [];
  if (features.pause) {
    for (const [key, value] of Object.entries(spec.env)) {
      if (SENT_VARIABLES.test(key)) args.push('-e', `${key}=${value}`);
    }
  }
  return { args };
}

/** How a gone session on this host is told. */
export function goneWords(name: string): NonNullable<TmuxProcessOptions['gone']> {
  return {
    sessionKilled: `The tmux session no longer exists on ${name} (it was ended outside Tether).`,
    serverGone: `The tmux server on ${name} is gone (the host restarted, or tmux was killed there); the shell ended with it.`,
    serverCrashed: `The tmux server on ${name} stopped unexpectedly; the shell ended with it.`,
  };
}

function describe(error: unknown): string {
  if (error instanceof TmuxCommandError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
