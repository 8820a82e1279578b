/**
 * The size rule (tmux's `latest`): a session's shell takes the size of the
 * block the user worked in last (focus, input, a switch to it); other blocks
 * show it at that size. A re-attach (a reload, a pane catching up) leaves the
 * size with the block that has it.
 */
import type { LiveSession } from './live-session';
import type { MirrorPool } from './mirror/mirror-pool';
import type { SessionRecords } from './session-records';

export class SessionSizes {
  constructor(
    private readonly records: SessionRecords,
    private readonly mirrors: MirrorPool,
  ) {}

  /** The block is the one the user works in now: activity time, and the shell's size. */
  touch(live: LiveSession, blockId: string): void {
    live.row.lastActiveAt = this.records.now;
    this.records.active(live);
    if (live.sizedBy !== blockId) {
      const size = live.sizes.get(blockId);
      if (size) this.set(live, blockId, size.cols, size.rows);
    }
  }

  /** A block attaches: a switch takes the size; a re-attach only records the block's size. */
  attached(
    live: LiveSession,
    blockId: string,
    cols: number,
    rows: number,
    switching: boolean,
  ): void {
    const sizer = live.sizedBy;
    if (switching || sizer === null || sizer === blockId || !live.attached.has(sizer)) {
      this.set(live, blockId, cols, rows);
    } else {
      live.sizes.set(blockId, { cols, rows });
    }
  }

  /** A block was resized: the shell follows if that block has the size (or nobody does). */
  resized(live: LiveSession, blockId: string, cols: number, rows: number): void {
    live.sizes.set(blockId, { cols, rows });
    if (live.sizedBy === blockId || live.sizedBy === null) this.set(live, blockId, cols, rows);
  }

  /** The shell takes this block's size. */
  set(live: LiveSession, blockId: string, cols: number, rows: number): void {
    live.sizes.set(blockId, { cols, rows });
    const changed = live.row.cols !== cols || live.row.rows !== rows || live.sizedBy !== blockId;
    live.sizedBy = blockId;
    if (live.row.cols !== cols || live.row.rows !== rows) {
      live.row.cols = cols;
      live.row.rows = rows;
      this.records.active(live);
      if (live.row.status === 'running') live.shell?.resize(cols, rows);
      this.mirrors.resize(live.row.id, cols, rows);
    }
    if (changed) this.records.emitChanged(live);
  }
}
