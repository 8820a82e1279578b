/**
 * The `tmux` backend: each session is a tmux session in Tether's private
 * server, so its shell outlives the app. Tether keeps its own identity for a
 * session (the `@tether_id` user option plus tmux's creation time), never
 * tmux's name or `$N` (those change with renames and server restarts); the
 * tmux name is the Tether name, else the id, so `tmux -L tether ls` shows
 * what the app shows.
 */
import { TetherError } from '../../../preload/tether-error';
import { assertExecutable } from '../pty-backend';
import type { Gone, Liveness, ShellBackend, ShellProcess, ShellSpec } from '../backend';
import {
  TmuxProcess,
  tmuxSessionName,
  type TmuxFeatures,
  type TmuxProcessOptions,
  type TmuxRef,
} from './tmux-process';
import { GONE, TmuxCommandError, type TmuxServer, type TmuxSessionEntry } from './tmux-server';

/** History lines a repaint brings back by default: fast to switch to, even for a long session. */
export const DEFAULT_RESTORE_LINES = 5_000;

const ENTRY_FORMAT = [
  '#{session_id}',
  '#{session_created}',
  '#{pane_id}',
  '#{pane_pid}',
  '#{session_name}',
].join('\t');

/** Variables tmux sets for its panes itself. */
const OWN_VARIABLES = new Set(['TERM', 'TMUX', 'TMUX_PANE']);

/**
 * Variables given to a new session on the command line (`-e`). Only these: tmux keeps the
 * command line that started its server as that server's argv, readable by every user in
 * `ps`, so no secret may be on it. The rest comes from the server's environment (Tether's,
 * when Tether started it), as tmux's own `update-environment` would have it.
 */
const SESSION_VARIABLES =
  /^(TETHER_[A-Z_]+|HOME|PATH|SHELL|USER|LOGNAME|LANG|LC_[A-Z_]+|TERM_PROGRAM(_VERSION)?|COLORTERM|DISPLAY|WAYLAND_DISPLAY|XAUTHORITY|SSH_AUTH_SOCK|SSH_AGENT_PID|KRB5CCNAME|XDG_[A-Z_]+|PS1)$/;

/** How a new tmux session runs its shell: new-session's own arguments, and the environment of the run. */
export type SessionPlan = {
  /** Arguments before the command (`-c dir`, `-e VAR=value`...). */
  args: string[];
  /** The shell command (one `sh -c` string); none: tmux's default shell, as a login shell. */
  command?: string;
  /** Added to the server's environment for the tmux run that may start the server. */
  env?: NodeJS.ProcessEnv;
};

export type TmuxBackendOptions = {
  server: TmuxServer;
  features: TmuxFeatures;
  restoreLines?: number;
  log: TmuxProcessOptions['log'];
  /** How a session's shell is set up (default: this machine's shell, directory and environment). */
  plan?: (spec: ShellSpec, features: TmuxFeatures) => SessionPlan;
  /** Written on each new session as `@tether_owner`: whose sessions these are on a shared host. */
  owner?: string;
  /** Set on an SSH host: a lost link makes shells wait (see TmuxProcess). */
  link?: TmuxProcessOptions['link'];
  gone?: TmuxProcessOptions['gone'];
  /** Write Tether's config file (the local server); a host's server gets its options per command. */
  writeConfig?: boolean;
  /**
   * The options object shells are driven with, filled in here: shells made before this
   * backend (waiting for their host) then see the same server and features.
   */
  shellOptions?: TmuxProcessOptions;
};

export class TmuxBackend implements ShellBackend {
  readonly kind = 'tmux' as const;
  readonly notDurable = null;
  private readonly processOptions: TmuxProcessOptions;
  private configured = false;
  private recovering: ReturnType<TmuxServer['list']> | undefined;

  constructor(private readonly options: TmuxBackendOptions) {
    this.processOptions = Object.assign(options.shellOptions ?? ({} as TmuxProcessOptions), {
      server: options.server,
      features: options.features,
      restoreLines: options.restoreLines ?? DEFAULT_RESTORE_LINES,
      log: options.log,
      link: options.link,
      gone: options.gone,
    });
  }

  get server(): TmuxServer {
    return this.options.server;
  }

  async start(spec: ShellSpec): Promise<TmuxProcess> {
    // Said plainly here: inside tmux a missing shell would only show as a dead pane.
    if (!this.options.plan) assertExecutable(spec.file);
    this.configure();
    // A restart (same session id): the old tmux session, with its dead pane, makes way.
    const old = await this.server.find(spec.sessionId).catch(() => undefined);
    if (old) await this.server.kill(old.sessionId);
    let entry: TmuxSessionEntry;
    try {
      entry = await this.newSessionOnce(spec, tmuxSessionName(spec.name, spec.sessionId));
    } catch (error) {
      if (!(error instanceof TmuxCommandError && /duplicate session/.test(error.stderr))) {
        throw startFailed(error);
      }
      // tmux already has a session of that name (not one of ours, or folded the same way).
      const unique = tmuxSessionName(spec.name, spec.sessionId, true);
      entry = await this.newSessionOnce(spec, unique).catch((retry: unknown) => {
        throw startFailed(retry);
      });
    }
    const made = entry;
    return TmuxProcess.open(made, this.processOptions, spec).catch(async (error: unknown) => {
      // Nothing records this session's ref yet: a shell left behind would run hidden.
      await this.server.kill(made.sessionId).catch(() => undefined);
      throw startFailed(error);
    });
  }

  /** A server that is just exiting (its last session killed) is met again once. */
  private async newSessionOnce(spec: ShellSpec, name: string): Promise<TmuxSessionEntry> {
    try {
      return await this.newSession(spec, name);
    } catch (error) {
      if (!(error instanceof TmuxCommandError && error.noServer)) throw error;
      return this.newSession(spec, name);
    }
  }

  async recover(ref: string, spec: ShellSpec): Promise<ShellProcess | Gone> {
    const parsed = parseRef(ref);
    if (!parsed) return { state: 'gone', reason: 'Its tmux session is not recorded.' };
    this.configure();
    const listed = await this.listForRecovery();
    const entry = listed.sessions.find((each) => matches(each, parsed));
    if (!entry) return { state: 'gone', reason: goneReason(listed.running) };
    if (entry.paneDead) {
      return {
        state: 'gone',
        reason: `The shell exited with code ${entry.paneDeadStatus ?? 'unknown'} while Tether was closed.`,
        exitCode: entry.paneDeadStatus,
      };
    }
    return TmuxProcess.open(entry, this.processOptions, spec);
  }

  async probe(_connection: string, refs: readonly string[]): Promise<Map<string, Liveness>> {
    const answers = new Map<string, Liveness>();
    let listed: Awaited<ReturnType<TmuxServer['list']>>;
    try {
      listed = await this.server.list();
    } catch (error) {
      const reason = `tmux could not be asked: ${error instanceof Error ? error.message : error}`;
      for (const ref of refs) answers.set(ref, { state: 'unreachable', reason });
      return answers;
    }
    for (const ref of refs) answers.set(ref, livenessIn(listed, ref, GONE));
    return answers;
  }

  async remove(ref: string): Promise<void> {
    const parsed = parseRef(ref);
    if (!parsed) return;
    const { sessions } = await this.server.list();
    for (const entry of sessions) {
      if (entry.tetherId === parsed.id) await this.server.kill(entry.sessionId);
    }
  }

  /**
   * One list (and one setting of the options: the config is read only when a server starts)
   * for every session recovered at once, rather than two tmux runs per session.
   */
  private listForRecovery(): ReturnType<TmuxServer['list']> {
    this.recovering ??= (async () => {
      const listed = await this.server.list();
      if (listed.running) await this.server.run(this.server.optionArgs());
      return listed;
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private configure(): void {
    if (this.configured) return;
    this.configured = true;
    if (this.options.writeConfig !== false) this.server.writeConfig();
  }

  private async newSession(spec: ShellSpec, name: string): Promise<TmuxSessionEntry> {
    const plan = (this.options.plan ?? localPlan)(spec, this.options.features);
    const owner = this.options.owner
      ? [';', 'set-option', '@tether_owner', this.options.owner]
      : [];
    const out = await this.server.run(
      [
        ...this.server.optionArgs(),
        ';',
        'new-session',
        '-d',
        '-s',
        name,
        '-x',
        String(spec.cols),
        '-y',
        String(spec.rows),
        ...plan.args,
        '-P',
        '-F',
        ENTRY_FORMAT,
        ...(plan.command === undefined ? [] : [plan.command]),
        ';',
        'set-option',
        '@tether_id',
        spec.sessionId,
        ...owner,
      ],
      plan.env ? { ...this.server.env, ...plan.env } : this.server.env,
    );
    const [sessionId, created, paneId, panePid, ...rest] = out.trim().split('\t');
    if (!sessionId || !paneId) throw new Error(`tmux did not say which session it made: ${out}`);
    return {
      sessionId,
      tetherId: spec.sessionId,
      created: Number(created),
      paneId,
      panePid: Number(panePid),
      paneDead: false,
      paneDeadStatus: null,
      name: rest.join('\t'),
    };
  }
}

/** This machine: the app's shell in the app's directory, with its environment. */
function localPlan(spec: ShellSpec, features: TmuxFeatures): SessionPlan {
  const args = ['-c', spec.cwd];
  if (features.pause) {
    // -e (3.2+): a server started earlier has another environment than this app's.
    for (const [key, value] of Object.entries(spec.env)) {
      if (SESSION_VARIABLES.test(key)) args.push('-e', `${key}=${value}`);
    }
  }
  return {
    args,
    command: ['exec', spec.file, ...spec.args].map(shellWord).join(' '),
    // A server started now takes its environment from here (not from its argv).
    env: withoutOwn(spec.env),
  };
}

export function parseRef(ref: string): TmuxRef | null {
  try {
    const value = JSON.parse(ref) as Partial<TmuxRef>;
    if (typeof value.id === 'string' && typeof value.created === 'number') {
      return { tmux: String(value.tmux ?? 'tether'), id: value.id, created: value.created };
    }
  } catch {
    // Not a tmux ref.
  }
  return null;
}

/** What a listing says of the shell a ref names: alive, or gone and why (in `words`). */
export function livenessIn(
  listed: { running: boolean; sessions: readonly TmuxSessionEntry[] },
  ref: string,
  words: Record<keyof typeof GONE, string>,
): Liveness {
  const parsed = parseRef(ref);
  const entry = parsed && listed.sessions.find((each) => matches(each, parsed));
  if (!entry) {
    return { state: 'gone', reason: listed.running ? words.sessionKilled : words.serverGone };
  }
  if (entry.paneDead) {
    return {
      state: 'gone',
      reason: `The shell exited with code ${entry.paneDeadStatus ?? 'unknown'}.`,
      exitCode: entry.paneDeadStatus,
    };
  }
  return { state: 'alive' };
}

export function matches(entry: TmuxSessionEntry, ref: TmuxRef): boolean {
  return entry.tetherId === ref.id && entry.created === ref.created;
}

function goneReason(serverRunning: boolean): string {
  return serverRunning ? GONE.sessionKilled : GONE.serverGone;
}

function withoutOwn(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !OWN_VARIABLES.has(key)));
}

/** One word for `sh -c`, in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function startFailed(error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new TetherError('spawn_failed', `tmux could not start the shell: ${why}`, {
    cause: error,
  });
}
