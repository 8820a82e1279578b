/**
 * The session daemon manager: the one owner of every session's status.
 *
 * - Status changes only through the lifecycle table (lifecycle.ts); an
 *   illegal transition is refused and logged, so a late event (output, an
 *   exit after a delete) can never bring a done session back.
 * - Memory and SQLite agree: user operations write the database first and
 *   change memory only if that worked; a change forced by reality (a shell
 *   exited) is kept in memory even if its write fails, marked dirty, reported,
 *   and written again by the consistency checker.
 * - Every operation runs through one queue, so attach, detach, delete and
 *   exit handling never interleave halfway (no check-then-act races).
 * - Output is pushed once into the session's zone and posted once to its
 *   headless mirror; attach pairs a mirror snapshot with the zone offset it
 *   reflects, both taken in the same synchronous step.
 */
import { randomUUID } from 'node:crypto';
import {
  detachBlocksFromSession,
  getBlock,
  listBlocks,
  listBlocksBySession,
  setBlockConnection,
  setBlockSession,
} from '../../db/repositories/blocks';
import {
  deleteSession,
  DuplicateNameError,
  insertSession,
  listSessions,
  updateSession,
} from '../../db/repositories/sessions';
import type { BlockRow, SessionRow, SessionUpdate } from '../../db/schema';
import type { AttachReply, BlockInfo, SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { ShellBackend } from '../backends/backend';
import { DEFAULT_ZONE_OPTIONS } from '../terminals/zone';
import { createSerialQueue } from '../workspace/serial-queue';
import { nextStatus, type LifecycleEvent } from './lifecycle';
import { checkName, DEFAULT_SIZE, toBlockInfo } from './session-rules';
import type { SessionManagerOptions } from './session-options';
import { recoverSessions } from './session-recovery';
import { SessionShells } from './session-shells';
import {
  createLiveSession,
  findFollower,
  followBlock,
  unfollowBlock,
  type LiveSession,
} from './live-session';
import type { SessionClient } from './session-follower';
import {
  DEFAULT_IDLE_POLICY,
  idleDeadline,
  toSessionInfo,
  TopicCapture,
  type IdlePolicy,
} from './session-info';

/** Input kept while a shell is starting; more is refused rather than piled up. */
const MAX_PENDING_INPUT = 64 * 1024;

export class SessionManager {
  readonly sessions = new Map<string, LiveSession>();
  private readonly queue = createSerialQueue();
  private readonly idle: IdlePolicy;
  private readonly now: () => number;
  /** Sessions whose activity times changed since the last write. */
  private readonly activity = new Set<string>();
  private activityTimer: ReturnType<typeof setInterval> | null = null;
  private disposed = false;
  private readonly shells: SessionShells;

  constructor(private readonly options: SessionManagerOptions) {
    this.idle = { ...DEFAULT_IDLE_POLICY, ...options.idle };
    this.now = options.now ?? Date.now;
    this.shells = new SessionShells({
      options,
      run: (work) => this.queue.run(work),
      transition: (live, event, patch) => this.transition(live, event, patch),
      writeForced: (live, patch) => this.writeForced(live, patch),
      tracks: (live) => !this.disposed && this.sessions.get(live.row.id) === live,
      active: (live) => {
        live.row.lastOutputAt = this.now();
        this.activity.add(live.row.id);
      },
      now: () => this.now(),
    });
  }

  /**
   * Load every session, and ask each one's backend for its shell: one that outlived the
   * app is re-joined and runs on, one that is gone is done with the backend's reason.
   */
  start(): Promise<void> {
    return this.queue.run(async () => {
      const rows = await listSessions(this.options.db);
      const blocks = await listBlocks(this.options.db);
      for (const row of rows) this.track(row);
      for (const block of blocks) {
        if (block.sessionId) this.sessions.get(block.sessionId)?.attached.add(block.id);
      }
      const { recovered, gone } = await this.recover([...this.sessions.values()]);
      if (recovered + gone > 0) {
        this.options.log.info(`sessions: ${recovered} re-joined, ${gone} gone since last run`);
      }
      for (const live of this.sessions.values()) {
        if (live.attached.size === 0 && live.row.idleDeadline === null) {
          await this.writeForced(live, { idleDeadline: this.deadline(live) });
        }
      }
      this.activityTimer = setInterval(
        () => void this.flushActivity(),
        this.options.activityWriteMs ?? 5_000,
      );
      this.activityTimer.unref?.();
    });
  }

  // ---------- queries ----------

  list(connection?: string): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((live) => connection === undefined || live.row.connection === connection)
      .sort((a, b) => b.row.lastActiveAt - a.row.lastActiveAt || b.row.createdAt - a.row.createdAt)
      .map((live) => this.info(live));
  }

  infoOf(sessionId: string): SessionInfo {
    return this.info(this.require(sessionId));
  }

  // ---------- lifecycle operations ----------

  /** A new session with its shell started; `name` is trimmed and checked. */
  create(connection: string, name?: string | null): Promise<SessionInfo> {
    return this.queue.run(async () => this.info(await this.createNow(connection, name ?? null)));
  }

  /** Bind a block (already stored) to a session; used for new blocks. */
  bindNewBlock(blockId: string, sessionId: string): Promise<void> {
    return this.queue.run(async () => {
      const live = this.require(sessionId);
      live.attached.add(blockId);
      if (live.row.idleDeadline !== null) await this.writeForced(live, { idleDeadline: null });
      this.emitChanged(live);
    });
  }

  /** Create a session for a block about to be created (no name). */
  createForBlock(connection: string): Promise<string> {
    return this.queue.run(async () => (await this.createNow(connection, null)).row.id);
  }

  rename(sessionId: string, name: string | null): Promise<SessionInfo> {
    return this.queue.run(async () => {
      const live = this.require(sessionId);
      const clean = checkName(name);
      const patch: SessionUpdate = { name: clean };
      if (live.attached.size === 0) {
        patch.idleDeadline = idleDeadline({ ...live.row, name: clean }, 0, this.now(), this.idle);
      }
      await this.persist(live, patch, 'The session could not be renamed');
      live.shell?.rename?.(clean);
      this.emitChanged(live);
      return this.info(live);
    });
  }

  /** Stop the shell, detach every block showing the session, and forget it. */
  delete(sessionId: string): Promise<void> {
    return this.queue.run(async () => {
      const live = this.require(sessionId);
      await this.deleteNow(live);
    });
  }

  /** A new shell under a done session (same id), then follow it from `blockId`. */
  restart(
    sessionId: string,
    blockId: string,
    client: SessionClient,
    cols: number,
    rows: number,
  ): Promise<AttachReply> {
    return this.queue.run(async () => {
      const live = this.require(sessionId);
      if (live.row.status !== 'done') {
        throw new TetherError('not_running', 'The session is still running; nothing to restart.');
      }
      const block = await this.requireBlock(blockId);
      this.requireSameConnection(live, block.connection);
      if (block.sessionId !== sessionId) await this.bindNow(block, live);
      // A user's request: the database first, so a failed write changes nothing.
      await this.transition(
        live,
        'restart',
        { doneReason: null, exitCode: null, exitSignal: null, topic: null },
        { strict: true },
      );
      live.topic = new TopicCapture();
      live.zone.clearReplay();
      this.options.mirrors.reset(live.row.id);
      this.setSize(live, blockId, cols, rows);
      await this.shells.start(live);
      return this.follow(live, blockId, client);
    });
  }

  // ---------- attach and detach ----------

  /** Follow the session a block shows (or `sessionId`, switching the block to it). */
  attach(
    blockId: string,
    sessionId: string | null,
    client: SessionClient,
    cols: number,
    rows: number,
  ): Promise<AttachReply> {
    return this.queue.run(async () => {
      const block = await this.requireBlock(blockId);
      const target = sessionId ?? block.sessionId;
      if (!target) throw new TetherError('detached', 'This block shows no session.');
      const live = this.require(target);
      this.requireSameConnection(live, block.connection);
      const switching = block.sessionId !== target;
      if (switching) await this.bindNow(block, live);
      // Switching is the user working in this block, so the shell takes its size; a
      // re-attach (a reload, a pane catching up) leaves the size with the active block.
      const sizer = live.sizedBy;
      if (switching || sizer === null || sizer === blockId || !live.attached.has(sizer)) {
        this.setSize(live, blockId, cols, rows);
      } else {
        live.sizes.set(blockId, { cols, rows });
      }
      return this.follow(live, blockId, client);
    });
  }

  /**
   * The block shows a new session on another connection; the one it showed keeps running,
   * detached. The block then attaches as usual.
   */
  switchConnection(blockId: string, connection: string): Promise<BlockInfo> {
    return this.queue.run(async () => {
      const block = await this.requireBlock(blockId);
      const live = await this.createNow(connection, null);
      const moved = await this.guard('The block could not be moved', () =>
        setBlockConnection(this.options.db, blockId, connection, live.row.id),
      ).catch(async (error: unknown) => {
        // Nothing shows the new session: it goes now rather than waiting for the reaper.
        await this.deleteNow(live).catch(() => undefined);
        throw error;
      });
      if (!moved) throw new TetherError('not_found', `No block ${blockId}.`);
      const old = block.sessionId ? this.sessions.get(block.sessionId) : undefined;
      if (old) {
        this.unfollowEverywhere(old, blockId);
        await this.unattach(old, blockId);
      }
      live.attached.add(blockId);
      await this.writeForced(live, { idleDeadline: null });
      this.emitChanged(live);
      const info = { ...toBlockInfo(block), connection, sessionId: live.row.id };
      this.emitBlockChanged(info);
      return info;
    });
  }

  /** The block shows no session any more; the session keeps running. */
  detachBlock(blockId: string): Promise<BlockInfo> {
    return this.queue.run(async () => {
      const block = await this.requireBlock(blockId);
      if (block.sessionId) {
        await this.guard('The block could not be detached', () =>
          setBlockSession(this.options.db, blockId, null),
        );
        const live = this.sessions.get(block.sessionId);
        if (live) {
          this.unfollowEverywhere(live, blockId);
          await this.unattach(live, blockId);
        }
      }
      const detached = { ...toBlockInfo(block), sessionId: null };
      // Other windows showing this block learn it from the event.
      this.emitBlockChanged(detached);
      return detached;
    });
  }

  /** Blocks the workspace deleted (closed panes): detach them, never stop their sessions. */
  blocksClosed(blockIds: readonly string[]): Promise<void> {
    return this.queue.run(async () => {
      for (const live of this.sessions.values()) {
        for (const blockId of blockIds) {
          if (!live.attached.has(blockId)) continue;
          this.unfollowEverywhere(live, blockId);
          await this.unattach(live, blockId);
        }
      }
    });
  }

  /** One block of a window stops following a zone (unmounted, switched away). */
  detachZone(zoneId: string, blockId: string, clientId: string): void {
    const live = this.sessions.get(zoneId);
    if (live) unfollowBlock(live, blockId, clientId);
  }

  /** A window went away: it follows nothing any more (its blocks stay attached). */
  clientGone(clientId: string): void {
    for (const live of this.sessions.values()) live.zone.detach(clientId);
  }

  // ---------- input, size, activity ----------

  write(zoneId: string, blockId: string, clientId: string, data: string | Buffer): void {
    const live = this.followed(zoneId, blockId, clientId);
    if (live.row.status === 'init') {
      // Typed while connecting: kept for the shell, as a terminal would buffer it.
      const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      if (live.pendingInputBytes + bytes > MAX_PENDING_INPUT) {
        throw new TetherError('not_running', 'The shell is still starting; wait for it to run.');
      }
      live.pendingInput.push(data);
      live.pendingInputBytes += bytes;
      return;
    }
    if (live.row.status !== 'running' || !live.shell) {
      throw new TetherError('not_running', 'The shell has exited; restart it to type again.');
    }
    this.touch(live, blockId);
    if (typeof data === 'string') {
      const topic = live.topic.feed(data);
      if (topic && live.row.name === null) {
        live.row.topic = topic;
        this.activity.add(live.row.id);
        this.emitChanged(live);
      }
    }
    live.shell.write(data);
  }

  resize(zoneId: string, blockId: string, clientId: string, cols: number, rows: number): void {
    const live = this.followed(zoneId, blockId, clientId);
    live.sizes.set(blockId, { cols, rows });
    if (live.sizedBy === blockId || live.sizedBy === null) this.setSize(live, blockId, cols, rows);
  }

  /** Focus (or input) in a block: the session is active now and its size follows the block. */
  recordActivity(sessionId: string, blockId: string, cols: number, rows: number): void {
    const live = this.require(sessionId);
    if (!live.attached.has(blockId)) {
      throw new TetherError('not_found', 'That block does not show this session.');
    }
    live.sizes.set(blockId, { cols, rows });
    this.touch(live, blockId);
  }

  ack(zoneId: string, blockId: string, clientId: string, bytes: number): void {
    const live = this.sessions.get(zoneId);
    if (live) findFollower(live, clientId)?.ackBlock(blockId, bytes);
  }

  /** Write pending activity times (lastActiveAt, lastOutputAt, topic). */
  async flushActivity(): Promise<void> {
    const ids = [...this.activity];
    this.activity.clear();
    for (const id of ids) {
      const live = this.sessions.get(id);
      if (!live) continue;
      const { lastActiveAt, lastOutputAt, topic } = live.row;
      try {
        await updateSession(this.options.db, id, { lastActiveAt, lastOutputAt, topic });
      } catch (error) {
        this.activity.add(id);
        this.options.log.warn(`session ${id}: activity could not be written`, error);
      }
    }
  }

  /** Run `work` in the manager's queue (the checker repairs through it). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.activityTimer) clearInterval(this.activityTimer);
    await this.queue.run(async () => {
      await this.flushActivity();
      // Quitting ends nothing that can outlive the app: tmux shells are let go, not killed.
      for (const live of this.sessions.values()) {
        for (const stop of live.stopShell) stop();
        live.shell?.release();
        live.zone.dispose();
      }
    });
  }

  // ---------- internals used by the consistency checker ----------

  /** Ask each session's backend for its shell: re-join the living, end the gone. */
  recover(lives: readonly LiveSession[]): Promise<{ recovered: number; gone: number }> {
    return recoverSessions(
      {
        shells: this.shells,
        log: this.options.log,
        transition: (live, event, patch) => this.transition(live, event, patch),
      },
      lives,
    );
  }

  /** The backend that runs (or ran) a session. */
  backendOf(live: LiveSession): ShellBackend | undefined {
    return this.shells.backendOf(live);
  }

  /** Start tracking a row that has no memory entry (loaded as it is). */
  track(row: SessionRow): LiveSession {
    const live = createLiveSession(row, { ...DEFAULT_ZONE_OPTIONS, ...this.options.zone });
    this.sessions.set(row.id, live);
    this.options.mirrors.open(row.id, row.cols, row.rows);
    return live;
  }

  /** End a session's shell for good and drop it from memory (its row is already gone). */
  drop(live: LiveSession): void {
    for (const stop of live.stopShell) stop();
    live.stopShell = [];
    live.shell?.kill();
    live.shell = null;
    const backend = this.shells.backendOf(live);
    const ref = live.row.backendRef;
    if (backend && ref) {
      backend.remove(ref).catch((error: unknown) => {
        this.options.log.warn(`session ${live.row.id}: its shell could not be ended`, error);
      });
    }
    live.zone.dispose();
    this.options.mirrors.close(live.row.id);
    this.sessions.delete(live.row.id);
    this.activity.delete(live.row.id);
    this.options.events.removed(live.row.id);
  }

  /** Change status through the lifecycle table; false (and logged) when illegal. */
  async transition(
    live: LiveSession,
    event: LifecycleEvent,
    patch: SessionUpdate = {},
    { strict = false }: { strict?: boolean } = {},
  ): Promise<boolean> {
    const from = live.row.status;
    const to = nextStatus(from, event);
    if (to === null) {
      this.options.log.warn(`session ${live.row.id}: refused ${from} --${event}--> (illegal)`);
      return false;
    }
    if (to === 'done') this.retireShell(live);
    const change: SessionUpdate = { ...patch, status: to };
    if (to === 'done' && live.attached.size === 0) {
      change.idleDeadline = this.now() + this.idle.doneMs;
    }
    // Strict (a user's request): written first, and a failure changes nothing. Otherwise
    // reality already changed, so memory follows it even if the write fails.
    if (strict) await this.persist(live, change, 'The session could not be changed');
    else await this.writeForced(live, change);
    this.options.log.info(`session ${live.row.id}: ${from} --${event}--> ${to}`);
    this.emitChanged(live);
    return true;
  }

  /**
   * A done session runs no shell: stop listening to it (late output is dropped) and let it
   * go. A tmux session stays (its last screen and exit status) until the session is deleted.
   */
  private retireShell(live: LiveSession): void {
    for (const stop of live.stopShell) stop();
    live.stopShell = [];
    live.shell?.release();
    live.shell = null;
  }

  /** Write a change reality forced; on failure keep it in memory, dirty, for the checker. */
  async writeForced(live: LiveSession, patch: SessionUpdate): Promise<void> {
    Object.assign(live.row, patch);
    try {
      await updateSession(this.options.db, live.row.id, patch);
    } catch (error) {
      live.dirty = true;
      this.options.log.error(`session ${live.row.id}: write failed; the checker will retry`, error);
    }
  }

  /** The wall-clock time this unattached session may be reaped. */
  deadline(live: LiveSession): number | null {
    return idleDeadline(live.row, live.attached.size, this.now(), this.idle);
  }

  emitChanged(live: LiveSession): void {
    if (!this.disposed) this.options.events.changed(this.info(live));
  }

  emitBlockChanged(block: BlockInfo): void {
    if (!this.disposed) this.options.events.blockChanged(block);
  }

  info(live: LiveSession): SessionInfo {
    return toSessionInfo(live.row, live, this.shells.backendOf(live)?.notDurable ?? null);
  }

  async deleteNow(live: LiveSession): Promise<void> {
    const detached = await this.guard('The session could not be deleted', () =>
      this.options.db.transaction().execute(async (transaction) => {
        const blocks = await listBlocksBySession(transaction, live.row.id);
        await detachBlocksFromSession(transaction, live.row.id);
        await deleteSession(transaction, live.row.id);
        return blocks.map((block) => ({ ...block, sessionId: null }));
      }),
    );
    if (live.row.status !== 'done') await this.transition(live, 'stopped').catch(() => false);
    this.drop(live);
    for (const block of detached) this.options.events.blockChanged(toBlockInfo(block));
  }

  // ---------- private ----------

  private async createNow(connection: string, name: string | null): Promise<LiveSession> {
    const clean = checkName(name);
    const backend = this.shells.backendFor(connection);
    const now = this.now();
    const row: SessionRow = {
      id: randomUUID(),
      name: clean,
      connection,
      backend: backend.kind,
      status: 'init',
      backendRef: null,
      doneReason: null,
      exitCode: null,
      exitSignal: null,
      topic: null,
      cols: DEFAULT_SIZE.cols,
      rows: DEFAULT_SIZE.rows,
      createdAt: now,
      lastActiveAt: now,
      lastOutputAt: null,
      idleDeadline: null,
    };
    row.idleDeadline = idleDeadline(row, 0, now, this.idle);
    await this.guard('The session could not be created', () => insertSession(this.options.db, row));
    const live = this.track({ ...row });
    await this.shells.start(live);
    return live;
  }

  /** Point a block at `live` (database first), leaving its previous session. */
  private async bindNow(block: BlockRow, live: LiveSession): Promise<void> {
    const blockId = block.id;
    const previous = block.sessionId;
    if (live.attached.has(blockId)) return;
    await this.guard('The block could not be attached', () =>
      setBlockSession(this.options.db, blockId, live.row.id),
    );
    const old = previous ? this.sessions.get(previous) : undefined;
    if (old) {
      this.unfollowEverywhere(old, blockId);
      await this.unattach(old, blockId);
    }
    live.attached.add(blockId);
    if (live.row.idleDeadline !== null) await this.writeForced(live, { idleDeadline: null });
    this.emitChanged(live);
    this.emitBlockChanged({ ...toBlockInfo(block), sessionId: live.row.id });
  }

  private async unattach(live: LiveSession, blockId: string): Promise<void> {
    if (!live.attached.delete(blockId)) return;
    live.sizes.delete(blockId);
    if (live.sizedBy === blockId) live.sizedBy = null;
    if (live.attached.size === 0)
      await this.writeForced(live, { idleDeadline: this.deadline(live) });
    this.emitChanged(live);
  }

  /** Snapshot and live chunks for one block of one window. */
  private async follow(
    live: LiveSession,
    blockId: string,
    client: SessionClient,
  ): Promise<AttachReply> {
    const replay = followBlock(live, blockId, client);
    // Asked in the same synchronous step as the offset was taken: the mirror has parsed
    // exactly the bytes before it when it answers.
    const pending = this.options.mirrors.snapshot(live.row.id);
    let snapshot: Uint8Array = replay.snapshot;
    try {
      snapshot = Buffer.from((await pending).data, 'utf8');
    } catch (error) {
      this.options.log.warn(`session ${live.row.id}: no mirror snapshot; using the replay`, error);
    }
    return { zone: live.row.id, snapshot, offset: replay.offset, session: this.info(live) };
  }

  /** A block stops showing a session in every window (it was detached or switched). */
  private unfollowEverywhere(live: LiveSession, blockId: string): void {
    for (const follower of live.zone.subscribers()) unfollowBlock(live, blockId, follower.id);
  }

  private followed(zoneId: string, blockId: string, clientId: string): LiveSession {
    const live = this.sessions.get(zoneId);
    if (!live || !findFollower(live, clientId)?.hasBlock(blockId)) {
      throw new TetherError('not_found', `Block ${blockId} does not follow zone ${zoneId}.`);
    }
    return live;
  }

  /** The block is the one the user works in now: activity time, and the shell's size. */
  private touch(live: LiveSession, blockId: string): void {
    live.row.lastActiveAt = this.now();
    this.activity.add(live.row.id);
    if (live.sizedBy !== blockId) {
      const size = live.sizes.get(blockId);
      if (size) this.setSize(live, blockId, size.cols, size.rows);
    }
  }

  private setSize(live: LiveSession, blockId: string, cols: number, rows: number): void {
    live.sizes.set(blockId, { cols, rows });
    const changed = live.row.cols !== cols || live.row.rows !== rows || live.sizedBy !== blockId;
    live.sizedBy = blockId;
    if (live.row.cols !== cols || live.row.rows !== rows) {
      live.row.cols = cols;
      live.row.rows = rows;
      this.activity.add(live.row.id);
      if (live.row.status === 'running') live.shell?.resize(cols, rows);
      this.options.mirrors.resize(live.row.id, cols, rows);
    }
    if (changed) this.emitChanged(live);
  }

  private requireSameConnection(live: LiveSession, connection: string): void {
    if (live.row.connection === connection) return;
    throw new TetherError(
      'wrong_connection',
      `Session ${live.row.id.slice(0, 8)} runs on ${live.row.connection}, not on ${connection}.`,
    );
  }

  private require(sessionId: string): LiveSession {
    const live = this.sessions.get(sessionId);
    if (!live) throw new TetherError('not_found', `No session ${sessionId}.`);
    return live;
  }

  private async requireBlock(blockId: string) {
    const block = await getBlock(this.options.db, blockId);
    if (!block) throw new TetherError('not_found', `No block ${blockId}.`);
    return block;
  }

  private async persist(live: LiveSession, patch: SessionUpdate, action: string): Promise<void> {
    await this.guard(action, () => updateSession(this.options.db, live.row.id, patch));
    Object.assign(live.row, patch);
  }

  /** Database failures become `storage_failed` (or `name_taken`); TetherErrors pass through. */
  private async guard<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TetherError) throw error;
      if (error instanceof DuplicateNameError) {
        throw new TetherError('name_taken', 'Another session on this connection has that name.');
      }
      this.options.log.error(`sessions: ${action}`, error);
      const reason = error instanceof Error ? error.message : String(error);
      throw new TetherError('storage_failed', `${action}: ${reason}`);
    }
  }
}
