/**
 * The `plain` backend for SSH connections: each session is a login shell on a
 * PTY channel of the connection's shared link (main/backends/ssh-shell.ts).
 *
 * sshd allows MaxSessions (10 by default) session channels per connection, so
 * one link cannot carry every session on a busy host. When the server refuses
 * a channel, that link's capacity is learned and the shell opens on the next
 * lane: a second link to the same target. A lane nothing runs on is closed
 * after a while, as ControlPersist would.
 */
import { TetherError } from '../../preload/tether-error';
import type { Gone, Liveness, ShellBackend, ShellProcess, ShellSpec } from '../backends/backend';
import { AppShells } from '../backends/app-shells';
import { openSshShell, type SshShell } from '../backends/ssh-shell';
import type { ConnectionService } from './connection-service';

/** Lanes per target: 8 links of 10 sessions each by default. */
export const MAX_LANES = 8;
/** How long a link with no shell on it stays open (a new block then opens at once). */
export const LINK_IDLE_MS = 60_000;

/** Variables sent as SSH env requests; sshd keeps those its AcceptEnv lists (LANG, LC_* on Debian). */
const SENT_VARIABLES =
  /^(LANG|LC_[A-Z_]+|COLORTERM|TERM_PROGRAM|TERM_PROGRAM_VERSION|TETHER_SESSION_ID)$/;

type Lane = {
  open: number;
  opening: number;
  /** Shells the server allows on this link, once a refusal told us; else Infinity. */
  capacity: number;
  idleTimer?: ReturnType<typeof setTimeout>;
};

export type SshBackendOptions = { idleMs?: number };

/** Why a plain SSH session does not come back after the app restarts. */
export const PLAIN_ENDED_WITH_APP =
  'Tether restarted; a plain SSH shell (no tmux on the host) ends with the app.';

export class SshBackend implements ShellBackend {
  readonly kind = 'plain' as const;
  readonly notDurable = 'SSH shells run without tmux on the host yet: a lost connection ends them.';
  private readonly lanes = new Map<string, Lane[]>();
  /** The shells this run opened. */
  private readonly shells = new AppShells<SshShell>(PLAIN_ENDED_WITH_APP);

  constructor(
    private readonly connections: ConnectionService,
    private readonly options: SshBackendOptions = {},
  ) {}

  async start(spec: ShellSpec): Promise<ShellProcess> {
    const name = spec.connection;
    const resolved = await this.connections.target(name);
    const { key } = resolved;
    const lanes = this.lanesOf(key);
    for (let index = 0; index < MAX_LANES; index += 1) {
      const lane = (lanes[index] ??= { open: 0, opening: 0, capacity: Infinity });
      if (lane.open + lane.opening >= lane.capacity) continue;
      lane.opening += 1;
      if (lane.idleTimer) clearTimeout(lane.idleTimer);
      let shell: SshShell;
      try {
        const link = await this.connections.link(name, resolved, index);
        shell = await openSshShell(link, {
          cols: spec.cols,
          rows: spec.rows,
          env: sentEnvironment(spec.env),
        });
      } catch (error) {
        lane.opening -= 1;
        if (isChannelRefused(error)) {
          // This link is full: remember how many it holds (those still opening may fit).
          lane.capacity = Math.max(1, lane.open + lane.opening);
          this.idleLater(key, index, lane);
          continue;
        }
        this.idleLater(key, index, lane);
        throw connectFailed(name, error);
      }
      lane.opening -= 1;
      lane.open += 1;
      this.shells.add(shell);
      shell.onExit(() => {
        lane.open -= 1;
        this.idleLater(key, index, lane);
      });
      return shell;
    }
    throw new TetherError(
      'connection_failed',
      `${name} refuses more sessions: ${MAX_LANES} connections are full (see MaxSessions in its sshd_config).`,
    );
  }

  async recover(): Promise<Gone> {
    return this.shells.gone();
  }

  async probe(_connection: string, refs: readonly string[]): Promise<Map<string, Liveness>> {
    return this.shells.probe(refs);
  }

  async remove(ref: string): Promise<void> {
    this.shells.kill(ref);
  }

  /** Shells open per lane of a target, for tests and diagnostics. */
  openShells(key: string): number[] {
    return (this.lanes.get(key) ?? []).map((lane) => lane.open);
  }

  dispose(): void {
    for (const lanes of this.lanes.values()) {
      for (const lane of lanes) if (lane.idleTimer) clearTimeout(lane.idleTimer);
    }
    this.lanes.clear();
  }

  private lanesOf(key: string): Lane[] {
    let lanes = this.lanes.get(key);
    if (!lanes) {
      lanes = [];
      this.lanes.set(key, lanes);
    }
    return lanes;
  }

  private idleLater(key: string, index: number, lane: Lane): void {
    if (lane.open + lane.opening > 0) return;
    if (lane.idleTimer) clearTimeout(lane.idleTimer);
    lane.idleTimer = setTimeout(() => {
      lane.idleTimer = undefined;
      if (lane.open + lane.opening === 0) void this.connections.closeLane(key, index);
    }, this.options.idleMs ?? LINK_IDLE_MS);
    lane.idleTimer.unref?.();
  }
}

function sentEnvironment(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => SENT_VARIABLES.test(key)));
}

/**
 * The server would not open another session channel on this link (an RFC 4254 open
 * failure; OpenSSH says only "open failed", whatever the reason code).
 */
function isChannelRefused(error: unknown): boolean {
  if (typeof (error as { reason?: unknown } | null)?.reason === 'number') return true;
  return error instanceof Error && /channel open failure|open failed/i.test(error.message);
}

function connectFailed(name: string, error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new TetherError('connection_failed', `Could not connect to ${name}: ${why}`);
}
