/**
 * Tether's private tmux server (`tmux -L tether`): one-shot commands to it,
 * its version, its options (Tether's own config, never the user's
 * ~/.tmux.conf), and the sessions in it. tmux's own TMUX_TMPDIR decides where
 * the socket is, so tests and people can keep servers apart; TMUX is removed
 * from the environment so Tether run inside tmux still reaches its own server.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LocalTmuxTransport, TmuxCommandError, type TmuxTransport } from './tmux-transport';

export { TmuxCommandError } from './tmux-transport';

export type TmuxVersion = { major: number; minor: number; letter: string; text: string };

/** One Tether session as `tmux list-sessions` shows it. */
export type TmuxSessionEntry = {
  /** `$N`: stable while the server runs, reused after it restarts. */
  sessionId: string;
  /** Tether's id for the session (the `@tether_id` user option). */
  tetherId: string;
  /** Seconds since the epoch; with the Tether id, what tells this session from a later one. */
  created: number;
  paneId: string;
  paneDead: boolean;
  paneDeadStatus: number | null;
  panePid: number;
  /** `@tether_owner`: which Tether installation made it (set on SSH hosts). */
  owner?: string;
  name: string;
};

/** A client attached to a session, as `list-clients` shows it. */
export type TmuxClientEntry = { control: boolean; sessionId: string; name: string };

export type TmuxListing = {
  running: boolean;
  sessions: TmuxSessionEntry[];
  /** Asked for with `clients`; else empty. */
  clients: TmuxClientEntry[];
};

export type TmuxServerOptions = {
  /** The `-L` socket name (default `tether`). */
  socketName?: string;
  /** Where Tether writes its tmux config (the data dir). */
  configDir?: string;
  /** The config file tmux reads (default `<configDir>/tmux.conf`; `/dev/null` on a host). */
  configPath?: string;
  /** How tmux is reached (default: child processes on this machine). */
  transport?: TmuxTransport;
  /** The default-terminal to use (default: tmux-256color where this machine has it). */
  terminal?: string;
  historyLimit?: number;
  env?: NodeJS.ProcessEnv;
  /** The tmux program (default: `tmux` on the PATH). */
  program?: string;
  /** The version the server runs (options newer than it are left out). */
  version?: TmuxVersion;
};

const LIST_FORMAT = [
  '#{session_id}',
  '#{@tether_id}',
  '#{session_created}',
  '#{pane_id}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_pid}',
  '#{@tether_owner}',
  '#{session_name}',
].join('\t');

const CLIENT_FORMAT = ['client', '#{client_control_mode}', '#{session_id}', '#{client_name}'].join(
  '\t',
);

export const DEFAULT_HISTORY_LIMIT = 10_000;

/** Why a tmux session is gone, in the same words whoever notices first (client, probe, start-up). */
export const GONE = {
  sessionKilled: 'The tmux session was ended outside Tether (tmux kill-session).',
  // tmux stops its server with its last session, so a kill-session can look like this too.
  serverGone:
    'The tmux session was ended outside Tether (tmux kill-session or kill-server), or the machine restarted.',
  serverCrashed:
    'The tmux server stopped unexpectedly (it crashed or was killed); the shell ended with it.',
} as const;

export class TmuxServer {
  readonly socketName: string;
  readonly program: string;
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly historyLimit: number;
  readonly knownVersion: TmuxVersion | undefined;
  readonly transport: TmuxTransport;
  private term: string | undefined;

  constructor(options: TmuxServerOptions) {
    this.socketName = options.socketName ?? 'tether';
    this.program = options.program ?? 'tmux';
    const configPath =
      options.configPath ?? (options.configDir ? join(options.configDir, 'tmux.conf') : undefined);
    if (!configPath) throw new Error('a tmux server needs a config path');
    this.configPath = configPath;
    this.historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    this.knownVersion = options.version;
    this.term = options.terminal;
    const env = { ...(options.env ?? process.env) };
    delete env.TMUX;
    delete env.TMUX_PANE;
    this.env = env;
    this.transport = options.transport ?? new LocalTmuxTransport(this.program, env);
  }

  /** Arguments that start every tmux client of this server. */
  clientArgs(): string[] {
    return ['-u', '-L', this.socketName, '-f', this.configPath];
  }

  /** Run one command list (`;` as its own argument separates commands); resolves stdout. */
  run(args: readonly string[], env: NodeJS.ProcessEnv = this.env): Promise<string> {
    // tmux ends a command at any argument ending in `;`: a name like `build;` is escaped.
    const escaped = args.map((arg) =>
      arg !== ';' && arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg,
    );
    return this.transport.run([...this.clientArgs(), ...escaped], env);
  }

  /** A control client attached to `target` (a `$N` session id). */
  control(target: string) {
    return this.transport.spawn([...this.clientArgs(), '-C', 'attach-session', '-t', target]);
  }

  /** `tmux -V`, parsed; null when tmux cannot be run. */
  async version(): Promise<TmuxVersion | null> {
    try {
      return parseTmuxVersion(await this.transport.run(['-V']));
    } catch {
      return null;
    }
  }

  /** Write Tether's config file; it is read when the server starts (options are set again anyway). */
  writeConfig(): void {
    // A config error would be shown to the first client that attaches: every word quoted.
    const lines = this.optionCommands().map((command) =>
      command.map((word) => `'${word.replaceAll("'", `'"'"'`)}'`).join(' '),
    );
    const text = `# Written by Tether for its own tmux server (tmux -L ${this.socketName}); changes are overwritten.\n${lines.join('\n')}\n`;
    writeFileSync(this.configPath, text, { mode: 0o600 });
  }

  /** Tether's options, set on every connect: the config is only read when the server starts. */
  optionCommands(): string[][] {
    // tmux would write "Pane is dead (status …)" into a dead pane: Tether says it its own way.
    const deadFormat =
      this.knownVersion && atLeast(this.knownVersion, 3, 3)
        ? [['set', '-g', 'remain-on-exit-format', '']]
        : [];
    return [
      ...deadFormat,
      ['set', '-g', 'status', 'off'],
      ['set', '-g', 'remain-on-exit', 'on'],
      ['set', '-g', 'exit-unattached', 'off'],
      ['set', '-g', 'destroy-unattached', 'off'],
      ['set', '-g', 'history-limit', String(this.historyLimit)],
      ['set', '-g', 'default-terminal', this.terminalName()],
      ['set', '-g', 'aggressive-resize', 'off'],
      // `latest` exists from 3.1 (an unknown value fails the whole command list).
      ...(this.knownVersion && !atLeast(this.knownVersion, 3, 1)
        ? []
        : [['set', '-g', 'window-size', 'latest']]),
      ['set', '-s', 'escape-time', '10'],
      ['set', '-s', 'focus-events', 'on'],
      ['set', '-s', 'set-clipboard', 'off'],
    ];
  }

  /** The options as one command list for `run`, started with `start-server`. */
  optionArgs(): string[] {
    const args = ['start-server'];
    for (const command of this.optionCommands()) args.push(';', ...command);
    return args;
  }

  /** `tmux-256color` where this machine has its terminfo, else `screen-256color`. */
  terminalName(): string {
    this.term ??= hasTerminfo('tmux-256color', this.env) ? 'tmux-256color' : 'screen-256color';
    return this.term;
  }

  /**
   * Every session that Tether made (has a `@tether_id`); empty when no server runs. With
   * `clients`, the same query also lists the clients attached to them.
   */
  async list(options: { clients?: boolean } = {}): Promise<TmuxListing> {
    let out: string;
    const args = ['list-sessions', '-F', LIST_FORMAT];
    if (options.clients) args.push(';', 'list-clients', '-F', CLIENT_FORMAT);
    try {
      out = await this.run(args);
    } catch (error) {
      if (error instanceof TmuxCommandError && error.noServer)
        return { running: false, sessions: [], clients: [] };
      throw error;
    }
    const sessions: TmuxSessionEntry[] = [];
    const clients: TmuxClientEntry[] = [];
    for (const line of out.split('\n')) {
      if (line.startsWith('client\t')) {
        const [, control, sessionId, ...name] = line.split('\t');
        if (sessionId) clients.push({ control: control === '1', sessionId, name: name.join('\t') });
        continue;
      }
      const [sessionId, tetherId, created, paneId, dead, status, pid, owner, ...name] =
        line.split('\t');
      if (!sessionId || !tetherId || !paneId) continue;
      sessions.push({
        sessionId,
        tetherId,
        created: Number(created),
        paneId,
        paneDead: dead === '1',
        paneDeadStatus: status === '' || status === undefined ? null : Number(status),
        panePid: Number(pid),
        owner: owner || undefined,
        name: name.join('\t'),
      });
    }
    return { running: true, sessions, clients };
  }

  /** Find a Tether session by its id (and creation time, when known). */
  async find(tetherId: string, created?: number): Promise<TmuxSessionEntry | undefined> {
    const { sessions } = await this.list();
    return sessions.find(
      (entry) =>
        entry.tetherId === tetherId && (created === undefined || entry.created === created),
    );
  }

  /** Kill a session by its `$N` id; a session already gone is fine. */
  async kill(sessionId: string): Promise<void> {
    try {
      await this.run(['kill-session', '-t', sessionId]);
    } catch (error) {
      if (
        error instanceof TmuxCommandError &&
        /can't find|no server|error connecting/.test(error.stderr)
      ) {
        return;
      }
      throw error;
    }
  }
}

/** `tmux 3.3a` → 3.3a; `tmux next-3.4` → 3.4; `tmux master` or an OpenBSD build → newest. */
export function parseTmuxVersion(output: string): TmuxVersion | null {
  const text = output.trim().replace(/^tmux\s+/, '');
  const match = /(\d+)\.(\d+)([a-z]?)/.exec(text);
  if (match) {
    return { major: Number(match[1]), minor: Number(match[2]), letter: match[3] ?? '', text };
  }
  if (/^(master|openbsd)/.test(text)) return { major: 99, minor: 0, letter: '', text };
  return null;
}

/** Whether `version` is at least major.minor with the letter (3.0a > 3.0). */
export function atLeast(version: TmuxVersion, major: number, minor: number, letter = ''): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.letter >= letter;
}

/** Whether a terminfo entry exists in the usual places (no infocmp needed). */
function hasTerminfo(name: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = [
    env.TERMINFO,
    join(env.HOME ?? homedir(), '.terminfo'),
    ...(env.TERMINFO_DIRS ?? '').split(':'),
    '/etc/terminfo',
    '/lib/terminfo',
    '/usr/share/terminfo',
    '/usr/lib/terminfo',
    '/usr/local/share/terminfo',
    '/opt/homebrew/share/terminfo',
  ].filter((dir): dir is string => Boolean(dir));
  const first = name[0]!;
  const hex = first.charCodeAt(0).toString(16);
  return dirs.some((dir) => existsSync(join(dir, first, name)) || existsSync(join(dir, hex, name)));
}
