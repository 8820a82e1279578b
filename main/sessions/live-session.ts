/**
 * A session in memory: its row (what the database holds, or will once a
 * failed write is retried), its zone, its shell, and which blocks of which
 * windows follow it. The functions here keep the followers straight; the
 * manager owns every decision about status.
 */
import type { SessionRow } from '../../db/schema';
import type { ShellProcess } from '../backends/backend';
import { Zone, type ZoneOptions } from '../terminals/zone';
import { SessionFollower, type SessionClient } from './session-follower';
import { TopicCapture } from './session-info';

/** A session in memory. `row` is what the database holds (or will, once `dirty` is written). */
export type LiveSession = {
  row: SessionRow;
  zone: Zone<SessionFollower>;
  shell: ShellProcess | null;
  stopShell: Array<() => void>;
  /** Blocks showing the session: equal to the blocks whose session_id is this id. */
  attached: Set<string>;
  /** The last size each attached block asked for. */
  sizes: Map<string, { cols: number; rows: number }>;
  sizedBy: string | null;
  topic: TopicCapture;
  /** A forced change whose database write failed; the checker writes it again. */
  dirty: boolean;
  /**
   * Counts shell starts: a remote start that answers after the session was restarted,
   * deleted or given up on sees another number and is thrown away.
   */
  startGeneration: number;
  /** Typed while the shell was still starting (connecting, a login prompt): sent once it runs. */
  pendingInput: Array<string | Buffer>;
  pendingInputBytes: number;
};

export function createLiveSession(
  row: SessionRow,
  zoneOptions: Omit<ZoneOptions, 'onPressure'>,
): LiveSession {
  const live: LiveSession = {
    row,
    zone: new Zone<SessionFollower>(row.id, {
      ...zoneOptions,
      // The slowest window holds the shell back (flow control).
      onPressure: (paused) => {
        if (paused) live.shell?.pause();
        else live.shell?.resume();
      },
    }),
    shell: null,
    stopShell: [],
    attached: new Set(),
    sizes: new Map(),
    sizedBy: null,
    topic: new TopicCapture(),
    dirty: false,
    startGeneration: 0,
    pendingInput: [],
    pendingInputBytes: 0,
  };
  live.topic.done = row.topic !== null;
  return live;
}

export function findFollower(live: LiveSession, clientId: string): SessionFollower | undefined {
  return live.zone.subscribers().find((follower) => follower.id === clientId);
}

/**
 * One block of one window starts following: returns the zone's replay and the
 * offset live chunks continue from (the window's first block subscribes it).
 */
export function followBlock(
  live: LiveSession,
  blockId: string,
  client: SessionClient,
): { snapshot: Buffer; offset: number } {
  let follower = findFollower(live, client.id);
  let replay: { snapshot: Buffer; offset: number };
  if (!follower) {
    follower = new SessionFollower(
      client,
      live.row.id,
      live.zone.offset,
      (bytes) => live.zone.ack(client.id, bytes),
      () => live.zone.offset,
    );
    replay = live.zone.attach(follower);
  } else {
    replay = live.zone.replaySnapshot();
  }
  follower.addBlock(blockId, replay.offset);
  return replay;
}

/** One block of a window stops following; the window unsubscribes with its last block. */
export function unfollowBlock(live: LiveSession, blockId: string, clientId: string): void {
  const follower = findFollower(live, clientId);
  if (follower && !follower.removeBlock(blockId)) live.zone.detach(clientId);
}
