/**
 * Which blocks show which session, and which windows follow it: binding a
 * block (database first), unbinding it, following a zone from one block of
 * one window (a snapshot paired with the offset it reflects), and the
 * corrections the consistency checker asks for.
 */
import type { Kysely } from 'kysely';
import { setBlockSession } from '../../db/repositories/blocks';
import type { BlockRow, Database } from '../../db/schema';
import type { AttachReply } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { Logger } from '../log';
import { findFollower, followBlock, unfollowBlock, type LiveSession } from './live-session';
import type { MirrorPool } from './mirror/mirror-pool';
import type { SessionClient } from './session-follower';
import type { SessionRecords } from './session-records';
import { toBlockInfo } from './session-rules';

export class SessionAttachments {
  constructor(
    private readonly records: SessionRecords,
    private readonly options: { db: Kysely<Database>; mirrors: MirrorPool; log: Logger },
  ) {}

  /** Point a block at `live` (database first), leaving its previous session. */
  async bind(block: BlockRow, live: LiveSession): Promise<void> {
    const blockId = block.id;
    const previous = block.sessionId;
    if (live.attached.has(blockId)) return;
    await this.records.guard('The block could not be attached', () =>
      setBlockSession(this.options.db, blockId, live.row.id),
    );
    const old = previous ? this.records.sessions.get(previous) : undefined;
    if (old) {
      this.unfollowEverywhere(old, blockId);
      await this.unbind(old, blockId);
    }
    await this.add(live, blockId);
    this.records.emitBlockChanged({ ...toBlockInfo(block), sessionId: live.row.id });
  }

  /** A block (already stored as showing it) now shows the session: no idle deadline. */
  async add(live: LiveSession, blockId: string): Promise<void> {
    live.attached.add(blockId);
    if (live.row.idleDeadline !== null)
      await this.records.writeForced(live, { idleDeadline: null });
    this.records.emitChanged(live);
  }

  /** The block no longer shows the session: its size no longer counts; alone, it may be reaped. */
  async unbind(live: LiveSession, blockId: string): Promise<void> {
    if (!live.attached.delete(blockId)) return;
    live.sizes.delete(blockId);
    if (live.sizedBy === blockId) live.sizedBy = null;
    if (live.attached.size === 0) {
      await this.records.writeForced(live, { idleDeadline: this.records.deadline(live) });
    }
    this.records.emitChanged(live);
  }

  /** Snapshot and live chunks for one block of one window. */
  async follow(live: LiveSession, blockId: string, client: SessionClient): Promise<AttachReply> {
    const replay = followBlock(live, blockId, client);
    // Asked in the same synchronous step as the offset was taken: the mirror has parsed
    // exactly the bytes before it when it answers.
    // A mirror that let a flood go is rebuilt first: its snapshot then ends further on, and
    // the window skips the chunks before that (they are in the snapshot).
    const pending = this.options.mirrors.snapshot(live.row.id);
    let snapshot: Uint8Array = replay.snapshot;
    let offset = replay.offset;
    try {
      const mirrored = await pending;
      snapshot = Buffer.from(mirrored.data, 'utf8');
      offset = Math.max(offset, mirrored.position);
    } catch (error) {
      this.options.log.warn(`session ${live.row.id}: no mirror snapshot; using the replay`, error);
    }
    return { zone: live.row.id, snapshot, offset, session: this.records.info(live) };
  }

  /** A block stops showing a session in every window (it was detached or switched). */
  unfollowEverywhere(live: LiveSession, blockId: string): void {
    for (const follower of live.zone.subscribers()) unfollowBlock(live, blockId, follower.id);
  }

  /** The session behind a zone that this block of this window follows. */
  followed(zoneId: string, blockId: string, clientId: string): LiveSession {
    const live = this.records.sessions.get(zoneId);
    if (!live || !findFollower(live, clientId)?.hasBlock(blockId)) {
      throw new TetherError('not_found', `Block ${blockId} does not follow zone ${zoneId}.`);
    }
    return live;
  }

  // ---------- corrections (the consistency checker) ----------

  /** A block points at a missing session, or one on another connection: it shows none now. */
  async detachStray(block: BlockRow): Promise<void> {
    await setBlockSession(this.options.db, block.id, null);
    if (block.sessionId) this.records.sessions.get(block.sessionId)?.attached.delete(block.id);
    this.records.emitBlockChanged({ ...toBlockInfo(block), sessionId: null });
  }

  /** The session's attached blocks are exactly `want` (the stored blocks that point at it). */
  correct(live: LiveSession, want: Set<string>): void {
    for (const blockId of live.attached) {
      if (want.has(blockId)) continue;
      // No longer shown there: no window keeps following it, its size no longer counts.
      for (const follower of live.zone.subscribers()) {
        if (!follower.removeBlock(blockId)) live.zone.detach(follower.id);
      }
      live.sizes.delete(blockId);
    }
    live.attached = want;
    if (live.sizedBy && !want.has(live.sizedBy)) live.sizedBy = null;
    this.records.emitChanged(live);
  }
}
