/**
 * Sessions on SSH connections. On a host with tmux 3.0a or newer a session
 * is a tmux session in the host's private server (remote-tmux-host.ts): it
 * outlives a dropped link and the app, and comes back by itself. On a host
 * without it, a session is a `plain` login shell on a PTY channel
 * (main/backends/ssh-shell.ts) that ends with its link, and its block says
 * why it is not durable. Channels of both spread over the connection's lanes
 * (ssh-lanes.ts), so sshd's MaxSessions never caps how many sessions a host has.
 */
import type { SessionBackend } from '../../db/schema';
import type { Gone, Liveness, ShellBackend, ShellProcess, ShellSpec } from '../backends/backend';
import { AppShells } from '../backends/app-shells';
import { openSshShell, type SshShell } from '../backends/ssh-shell';
import { parseRef } from '../backends/tmux/tmux-backend';
import { TmuxCommandError } from '../backends/tmux/tmux-transport';
import { TetherError } from '../../preload/tether-error';
import type { TmuxFeatures } from '../backends/tmux/tmux-process';
import type { Logger } from '../log';
import type { ConnectionService } from './connection-service';
import { RemoteTmuxHost } from './remote-tmux-host';
import { connectFailed, SshLanes } from './ssh-lanes';

export { MAX_LANES, LINK_IDLE_MS } from './ssh-lanes';

/** Variables sent as SSH env requests; sshd keeps those its AcceptEnv lists (LANG, LC_* on Debian). */
const SENT_VARIABLES =
  /^(LANG|LC_[A-Z_]+|COLORTERM|TERM_PROGRAM|TERM_PROGRAM_VERSION|TETHER_SESSION_ID)$/;

export type SshBackendOptions = {
  idleMs?: number;
  log: Logger;
  /** This installation's id, written on each tmux session it makes on a host. */
  owner: string;
  /** Whether the app still has a session by this id (its database is asked). */
  isKnown: (sessionId: string) => Promise<boolean>;
  /** `plain`: never tmux on hosts (a setting); default: tmux where the host has it. */
  prefer?: 'auto' | 'plain';
  historyLimit?: number;
  restoreLines?: number;
  /** Features forced off on every host (tests: tmux 3.0a's limits). */
  tmuxFeatures?: Partial<TmuxFeatures>;
};

/** Why a plain SSH session does not come back after the app restarts. */
export const PLAIN_ENDED_WITH_APP =
  'Tether restarted; a plain SSH shell (no tmux on the host) ends with the app.';

export class SshBackend implements ShellBackend {
  readonly kind = 'plain' as const;
  readonly notDurable = 'This SSH shell runs without tmux on its host: a lost connection ends it.';
  private readonly lanes: SshLanes;
  private readonly hosts = new Map<string, RemoteTmuxHost>();
  /** The plain shells this run opened. */
  private readonly shells = new AppShells<SshShell>(PLAIN_ENDED_WITH_APP);
  private readonly stopWatching: () => void;

  constructor(
    private readonly connections: ConnectionService,
    private readonly options: SshBackendOptions,
  ) {
    this.lanes = new SshLanes(connections, options.idleMs);
    this.stopWatching = connections.watch((status) => {
      this.hosts.get(status.connection)?.linkChanged(status.state);
    });
  }

  async start(spec: ShellSpec): Promise<ShellProcess> {
    if (this.options.prefer !== 'plain') {
      const host = this.hostOf(spec.connection);
      const offer = await host.ask().catch((error: unknown) => {
        throw connectFailed(spec.connection, error);
      });
      if (offer.usable) {
        try {
          return await host.start(spec);
        } catch (error) {
          // Only tmux's own refusal makes way for plain shells; a link or channel problem is
          // said as it is.
          if (!tmuxRefused(error) || !this.connections.isUp(spec.connection)) throw error;
          host.unusable(
            `tmux on ${spec.connection} could not start a session (${describe(error)}).`,
          );
        }
      }
      this.options.log.info(`ssh ${spec.connection}: plain shells (${host.plainReason})`);
    }
    return this.startPlain(spec);
  }

  /** A tmux session is re-joined once its host answers (away until then); a plain one is gone. */
  async recover(ref: string, spec: ShellSpec): Promise<ShellProcess | Gone> {
    if (parseRef(ref)) return this.hostOf(spec.connection).recover(ref, spec);
    return this.shells.gone();
  }

  async probe(connection: string, refs: readonly string[]): Promise<Map<string, Liveness>> {
    const tmux = refs.filter((ref) => parseRef(ref) !== null);
    const answers = this.shells.probe(refs.filter((ref) => parseRef(ref) === null));
    if (tmux.length > 0) {
      for (const [ref, answer] of await this.hostOf(connection).probe(tmux)) {
        answers.set(ref, answer);
      }
    }
    return answers;
  }

  async remove(ref: string, connection: string): Promise<void> {
    if (!parseRef(ref)) {
      this.shells.kill(ref);
      return;
    }
    await this.hostOf(connection).remove(ref);
  }

  notDurableFor(connection: string, kind: SessionBackend): string | null {
    if (kind === 'tmux') return null;
    const reason = this.hosts.get(connection)?.plainReason;
    if (this.options.prefer === 'plain') {
      return 'Your settings prefer plain SSH shells to tmux on hosts: a lost connection ends them.';
    }
    return reason ? `${reason} A lost connection ends this shell.` : this.notDurable;
  }

  /** Channels open per lane of a target, for tests and diagnostics. */
  openShells(key: string): number[] {
    return this.lanes.openChannels(key);
  }

  dispose(): void {
    this.stopWatching();
    for (const host of this.hosts.values()) host.dispose();
    this.lanes.dispose();
  }

  private hostOf(connection: string): RemoteTmuxHost {
    let host = this.hosts.get(connection);
    if (!host) {
      host = new RemoteTmuxHost(connection, {
        connections: this.connections,
        lanes: this.lanes,
        owner: this.options.owner,
        isKnown: this.options.isKnown,
        historyLimit: this.options.historyLimit,
        restoreLines: this.options.restoreLines,
        features: this.options.tmuxFeatures,
        log: this.options.log,
      });
      this.hosts.set(connection, host);
    }
    return host;
  }

  private async startPlain(spec: ShellSpec): Promise<ShellProcess> {
    const resolved = await this.connections.target(spec.connection);
    const opened = await this.lanes.open(spec.connection, resolved, (link) =>
      openSshShell(link, { cols: spec.cols, rows: spec.rows, env: sentEnvironment(spec.env) }),
    );
    const shell = opened.value;
    this.shells.add(shell);
    shell.onExit(() => opened.release());
    return shell;
  }
}

/** tmux ran on the host and said no (not: it could not be reached or did not answer). */
function tmuxRefused(error: unknown): boolean {
  const cause = error instanceof TetherError ? error.cause : error;
  return cause instanceof TmuxCommandError && typeof cause.code === 'number' && !cause.notRunnable;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sentEnvironment(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => SENT_VARIABLES.test(key)));
}
