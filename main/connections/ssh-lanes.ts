/**
 * Channels spread over lanes: sshd allows MaxSessions (10 by default) session
 * channels per connection, so one link cannot carry every shell (or tmux
 * control client) on a busy host. When the server refuses a channel, that
 * link's capacity is learned and the channel opens on the next lane: a second
 * link to the same target. A lane nothing runs on is closed after a while, as
 * ControlPersist would. Plain shells and tmux channels share the lanes.
 */
import { TetherError } from '../../preload/tether-error';
import type { SshLink } from '../ssh/ssh-link';
import type { ConnectionService, ResolvedConnection } from './connection-service';

/** Lanes per target: 8 links of 10 sessions each by default. */
export const MAX_LANES = 8;
/** How long a link with no channel on it stays open (a new block then opens at once). */
export const LINK_IDLE_MS = 60_000;

type Lane = {
  open: number;
  opening: number;
  /** Channels the server allows on this link, once a refusal told us; else Infinity. */
  capacity: number;
  idleTimer?: ReturnType<typeof setTimeout>;
};

/** A channel on a lane; release() once it has closed, so the lane can idle out. */
export type LaneChannel<T> = { value: T; lane: number; release(): void };

export class SshLanes {
  private readonly lanes = new Map<string, Lane[]>();

  constructor(
    private readonly connections: ConnectionService,
    private readonly idleMs = LINK_IDLE_MS,
  ) {}

  /**
   * Open a channel (`opener` on a link) on the first lane with room, connecting that lane
   * if needed. Rejects with `connection_failed` in words for people.
   */
  async open<T>(
    name: string,
    resolved: ResolvedConnection,
    opener: (link: SshLink) => Promise<T>,
  ): Promise<LaneChannel<T>> {
    const { key } = resolved;
    const lanes = this.lanesOf(key);
    for (let index = 0; index < MAX_LANES; index += 1) {
      const lane = (lanes[index] ??= { open: 0, opening: 0, capacity: Infinity });
      if (lane.open + lane.opening >= lane.capacity) continue;
      lane.opening += 1;
      if (lane.idleTimer) clearTimeout(lane.idleTimer);
      let value: T;
      try {
        const link = await this.connections.link(name, resolved, index);
        value = await opener(link);
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
      let released = false;
      return {
        value,
        lane: index,
        release: () => {
          if (released) return;
          released = true;
          lane.open -= 1;
          this.idleLater(key, index, lane);
        },
      };
    }
    throw new TetherError(
      'connection_failed',
      `${name} refuses more sessions: ${MAX_LANES} connections are full (see MaxSessions in its sshd_config).`,
    );
  }

  /** Channels open per lane of a target, for tests and diagnostics. */
  openChannels(key: string): number[] {
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
      if (lane.open + lane.opening > 0) return;
      // Lane 0 is the connection people see (its state says whether the host is reachable):
      // it stays while any other lane carries something.
      const others = this.lanes.get(key) ?? [];
      if (index === 0 && others.some((other) => other.open + other.opening > 0)) {
        this.idleLater(key, index, lane);
        return;
      }
      void this.connections.closeLane(key, index);
    }, this.idleMs);
    lane.idleTimer.unref?.();
  }
}

/**
 * The server would not open another session channel on this link (an RFC 4254 open
 * failure; OpenSSH says only "open failed", whatever the reason code).
 */
export function isChannelRefused(error: unknown): boolean {
  if (typeof (error as { reason?: unknown } | null)?.reason === 'number') return true;
  return error instanceof Error && /channel open failure|open failed/i.test(error.message);
}

export function connectFailed(name: string, error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new TetherError('connection_failed', `Could not connect to ${name}: ${why}`);
}
