/**
 * The session daemon manager: the public face of sessions (create, rename,
 * delete, restart, attach, switch, detach, input, size), run through one
 * queue, so attach, detach, delete and exit handling never interleave halfway
 * (no check-then-act races).
 *
 * Its parts: SessionRecords, the one writer of session rows, statuses and
 * events; SessionAttachments, which blocks show a session and which windows
 * follow it; SessionSizes, the size rule; SessionShells, a shell from start to
 * exit on its backend; and session-recovery, which asks the backends at
 * start-up. Output is pushed once into the session's zone and posted once to
 * its headless mirror; attach pairs a mirror snapshot with the zone offset it
 * reflects, both taken in the same synchronous step.
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
import { deleteSession, insertSession, listSessions } from '../../db/repositories/sessions';
import type { SessionRow, SessionUpdate } from '../../db/schema';
import type { AttachReply, BlockInfo, SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { ShellBackend } from '../backends/backend';
import { createSerialQueue } from '../workspace/serial-queue';
import { unfollowBlock, findFollower, type LiveSession } from './live-session';
import { SessionAttachments } from './session-attachments';
import type { SessionClient } from './session-follower';
import { DEFAULT_IDLE_POLICY, TopicCapture } from './session-info';
import type { SessionManagerOptions } from './session-options';
import { SessionRecords } from './session-records';
import { recoverSessions } from './session-recovery';
import { checkName, DEFAULT_SIZE, toBlockInfo } from './session-rules';
import { SessionShells } from './session-shells';
import { SessionSizes } from './session-sizes';

/** Input kept while a shell is starting; more is refused rather than piled up. */
const MAX_PENDING_INPUT = 64 * 1024;

export class SessionManager {
  readonly records: SessionRecords;
  readonly attachments: SessionAttachments;
  private readonly sizes: SessionSizes;
  private readonly shells: SessionShells;
  private readonly queue = createSerialQueue();
  private activityTimer: ReturnType<typeof setInterval> | null = null;
  private disposed = false;

  constructor(private readonly options: SessionManagerOptions) {
    const now = options.now ?? Date.now;
    this.records = new SessionRecords({
      db: options.db,
      mirrors: options.mirrors,
      log: options.log,
      events: options.events,
      idle: { ...DEFAULT_IDLE_POLICY, ...options.idle },
      now,
      zone: options.zone,
      notDurable: (live) => this.shells.notDurable(live),
      retire: (live) => this.retireShell(live),
    });
    this.attachments = new SessionAttachments(this.records, options);
    this.sizes = new SessionSizes(this.records, options.mirrors);
    this.shells = new SessionShells({
      options,
      run: (work) => this.queue.run(work),
      transition: (live, event, patch) => this.records.transition(live, event, patch),
      writeForced: (live, patch) => this.records.writeForced(live, patch),
      tracks: (live) => !this.disposed && this.sessions.get(live.row.id) === live,
      active: (live) => {
        live.row.lastOutputAt = now();
        this.records.active(live);
      },
      now,
    });
  }

  /** Every session in memory, by id. */
  get sessions(): Map<string, LiveSession> {
    return this.records.sessions;
  }

  /**
   * Load every session, and ask each one's backend for its shell: one that outlived the
   * app is re-joined and runs on, one that is gone is done with the backend's reason.
   */
  start(): Promise<void> {
    return this.queue.run(async () => {
      const rows = await listSessions(this.options.db);
      const blocks = await listBlocks(this.options.db);
      for (const row of rows) this.records.track(row);
      for (const block of blocks) {
        if (block.sessionId) this.sessions.get(block.sessionId)?.attached.add(block.id);
      }
      const { recovered, gone } = await this.recover([...this.sessions.values()]);
      if (recovered + gone > 0) {
        this.options.log.info(`sessions: ${recovered} re-joined, ${gone} gone since last run`);
      }
      for (const live of this.sessions.values()) {
        if (live.attached.size === 0 && live.row.idleDeadline === null) {
          await this.records.writeForced(live, { idleDeadline: this.records.deadline(live) });
        }
      }
      this.activityTimer = setInterval(
        () => void this.records.flushActivity(),
        this.options.activityWriteMs ?? 5_000,
      );
      this.activityTimer.unref?.();
    });
  }

  // ---------- queries ----------

  list(connection?: string): SessionInfo[] {
    const listed = [...this.sessions.values()].filter(
      (live) => connection === undefined || live.row.connection === connection,
    );
    // The picker lists a host's sessions: those waiting for it are asked for now.
    if (connection !== undefined) for (const live of listed) this.wake(live);
    return listed
      .sort((a, b) => b.row.lastActiveAt - a.row.lastActiveAt || b.row.createdAt - a.row.createdAt)
      .map((live) => this.records.info(live));
  }

  infoOf(sessionId: string): SessionInfo {
    return this.records.info(this.records.require(sessionId));
  }

  // ---------- lifecycle operations ----------

  /** A new session with its shell started; `name` is trimmed and checked. */
  create(connection: string, name?: string | null): Promise<SessionInfo> {
    return this.queue.run(async () =>
      this.records.info(await this.createNow(connection, name ?? null)),
    );
  }

  /** Bind a block (already stored) to a session; used for new blocks. */
  bindNewBlock(blockId: string, sessionId: string): Promise<void> {
    return this.queue.run(() => this.attachments.add(this.records.require(sessionId), blockId));
  }

  /** Create a session for a block about to be created (no name). */
  createForBlock(connection: string): Promise<string> {
    return this.queue.run(async () => (await this.createNow(connection, null)).row.id);
  }

  rename(sessionId: string, name: string | null): Promise<SessionInfo> {
    return this.queue.run(async () => {
      const live = this.records.require(sessionId);
      const clean = checkName(name);
      const patch: SessionUpdate = { name: clean };
      if (live.attached.size === 0) {
        patch.idleDeadline = this.records.deadlineFor({ ...live.row, name: clean }, 0);
      }
      await this.records.persist(live, patch, 'The session could not be renamed');
      live.shell?.rename?.(clean);
      this.records.emitChanged(live);
      return this.records.info(live);
    });
  }

  /** Stop the shell, detach every block showing the session, and forget it. */
  delete(sessionId: string): Promise<void> {
    return this.queue.run(() => this.deleteNow(this.records.require(sessionId)));
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
      const live = this.records.require(sessionId);
      if (live.row.status !== 'done') {
        throw new TetherError('not_running', 'The session is still running; nothing to restart.');
      }
      const block = await this.requireBlock(blockId);
      requireSameConnection(live, block.connection);
      if (block.sessionId !== sessionId) await this.attachments.bind(block, live);
      // A user's request: the database first, so a failed write changes nothing.
      await this.records.transition(
        live,
        'restart',
        { doneReason: null, exitCode: null, exitSignal: null, topic: null },
        { strict: true },
      );
      live.topic = new TopicCapture();
      live.zone.clearReplay();
      this.options.mirrors.reset(live.row.id);
      this.sizes.set(live, blockId, cols, rows);
      await this.shells.start(live);
      return this.attachments.follow(live, blockId, client);
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
      const live = this.records.require(target);
      requireSameConnection(live, block.connection);
      const switching = block.sessionId !== target;
      if (switching) await this.attachments.bind(block, live);
      this.sizes.attached(live, blockId, cols, rows, switching);
      this.wake(live);
      return this.attachments.follow(live, blockId, client);
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
      const moved = await this.records
        .guard('The block could not be moved', () =>
          setBlockConnection(this.options.db, blockId, connection, live.row.id),
        )
        .catch(async (error: unknown) => {
          // Nothing shows the new session: it goes now rather than waiting for the reaper.
          await this.deleteNow(live).catch(() => undefined);
          throw error;
        });
      if (!moved) throw new TetherError('not_found', `No block ${blockId}.`);
      const old = block.sessionId ? this.sessions.get(block.sessionId) : undefined;
      if (old) {
        this.attachments.unfollowEverywhere(old, blockId);
        await this.attachments.unbind(old, blockId);
      }
      await this.attachments.add(live, blockId);
      const info = { ...toBlockInfo(block), connection, sessionId: live.row.id };
      this.records.emitBlockChanged(info);
      return info;
    });
  }

  /** The block shows no session any more; the session keeps running. */
  detachBlock(blockId: string): Promise<BlockInfo> {
    return this.queue.run(async () => {
      const block = await this.requireBlock(blockId);
      if (block.sessionId) {
        await this.records.guard('The block could not be detached', () =>
          setBlockSession(this.options.db, blockId, null),
        );
        const live = this.sessions.get(block.sessionId);
        if (live) {
          this.attachments.unfollowEverywhere(live, blockId);
          await this.attachments.unbind(live, blockId);
        }
      }
      const detached = { ...toBlockInfo(block), sessionId: null };
      // Other windows showing this block learn it from the event.
      this.records.emitBlockChanged(detached);
      return detached;
    });
  }

  /** Blocks the workspace deleted (closed panes): detach them, never stop their sessions. */
  blocksClosed(blockIds: readonly string[]): Promise<void> {
    return this.queue.run(async () => {
      for (const live of this.sessions.values()) {
        for (const blockId of blockIds) {
          if (!live.attached.has(blockId)) continue;
          this.attachments.unfollowEverywhere(live, blockId);
          await this.attachments.unbind(live, blockId);
        }
      }
    });
  }

  /** One block of a window stops following a zone (unmounted, switched away). */
  detachZone(zoneId: string, blockId: string, clientId: string): void {
    unfollowBlock(this.known(zoneId), blockId, clientId);
  }

  /** A window went away: it follows nothing any more (its blocks stay attached). */
  clientGone(clientId: string): void {
    for (const live of this.sessions.values()) live.zone.detach(clientId);
  }

  // ---------- input, size, activity ----------

  write(zoneId: string, blockId: string, clientId: string, data: string | Buffer): void {
    const live = this.attachments.followed(zoneId, blockId, clientId);
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
    if (live.row.status === 'disconnected') {
      // Never queued blindly: what was typed for a shell nobody can see now is refused.
      throw new TetherError(
        'disconnected',
        `Not sent: ${live.row.connection} cannot be reached now. Tether is reconnecting; the session resumes by itself.`,
      );
    }
    if (live.row.status !== 'running' || !live.shell) {
      throw new TetherError('not_running', 'The shell has exited; restart it to type again.');
    }
    this.sizes.touch(live, blockId);
    if (typeof data === 'string') {
      const topic = live.topic.feed(data);
      if (topic && live.row.name === null) {
        live.row.topic = topic;
        this.records.active(live);
        this.records.emitChanged(live);
      }
    }
    live.shell.write(data);
  }

  resize(zoneId: string, blockId: string, clientId: string, cols: number, rows: number): void {
    const live = this.attachments.followed(zoneId, blockId, clientId);
    this.sizes.resized(live, blockId, cols, rows);
  }

  /** Focus (or input) in a block: the session is active now and its size follows the block. */
  recordActivity(sessionId: string, blockId: string, cols: number, rows: number): void {
    const live = this.records.require(sessionId);
    if (!live.attached.has(blockId)) {
      throw new TetherError('not_found', 'That block does not show this session.');
    }
    live.sizes.set(blockId, { cols, rows });
    this.sizes.touch(live, blockId);
  }

  ack(zoneId: string, blockId: string, clientId: string, bytes: number): void {
    findFollower(this.known(zoneId), clientId)?.ackBlock(blockId, bytes);
  }

  /** The live session of a zone a window names; an unknown one is not_found, never ignored. */
  private known(zoneId: string): LiveSession {
    const live = this.sessions.get(zoneId);
    if (!live) throw new TetherError('not_found', `No session ${zoneId}.`);
    return live;
  }

  /** Write pending activity times (lastActiveAt, lastOutputAt, topic). */
  flushActivity(): Promise<void> {
    return this.records.flushActivity();
  }

  /** Run `work` in the manager's queue (the checker repairs through it). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.records.silence();
    this.records.mirrorLog.dispose();
    if (this.activityTimer) clearInterval(this.activityTimer);
    await this.queue.run(async () => {
      await this.records.flushActivity();
      // Quitting ends nothing that can outlive the app: tmux shells are let go, not killed.
      for (const live of this.sessions.values()) {
        for (const stop of live.stopShell) stop();
        live.shell?.release();
        live.zone.dispose();
      }
    });
  }

  // ---------- for the consistency checker (in the queue) ----------

  /** Ask each session's backend for its shell: re-join the living, end the gone. */
  recover(lives: readonly LiveSession[]): Promise<{ recovered: number; gone: number }> {
    return recoverSessions(
      {
        shells: this.shells,
        log: this.options.log,
        transition: (live, event, patch) => this.records.transition(live, event, patch),
      },
      lives,
    );
  }

  /** The backend that runs (or ran) a session. */
  backendOf(live: LiveSession): ShellBackend | undefined {
    return this.shells.backendOf(live);
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
      backend.remove(ref, live.row.connection).catch((error: unknown) => {
        this.options.log.warn(`session ${live.row.id}: its shell could not be ended`, error);
      });
    }
    this.records.forget(live);
  }

  /** Delete the row (and detach its blocks) in one transaction, then end the shell. */
  async deleteNow(live: LiveSession): Promise<void> {
    const detached = await this.records.guard('The session could not be deleted', () =>
      this.options.db.transaction().execute(async (transaction) => {
        const blocks = await listBlocksBySession(transaction, live.row.id);
        await detachBlocksFromSession(transaction, live.row.id);
        await deleteSession(transaction, live.row.id);
        return blocks.map((block) => ({ ...block, sessionId: null }));
      }),
    );
    if (live.row.status !== 'done') {
      await this.records.transition(live, 'stopped').catch(() => false);
    }
    this.drop(live);
    for (const block of detached) this.options.events.blockChanged(toBlockInfo(block));
  }

  // ---------- private ----------

  /** A session waiting for its host is wanted (shown, listed): reconnect now. */
  private wake(live: LiveSession): void {
    if (live.row.status === 'disconnected') live.shell?.wake?.();
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

  private async createNow(connection: string, name: string | null): Promise<LiveSession> {
    const clean = checkName(name);
    const backend = this.shells.backendFor(connection);
    const now = this.records.now;
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
    row.idleDeadline = this.records.deadlineFor(row, 0);
    await this.records.guard('The session could not be created', () =>
      insertSession(this.options.db, row),
    );
    const live = this.records.track({ ...row });
    await this.shells.start(live);
    return live;
  }

  private async requireBlock(blockId: string) {
    const block = await getBlock(this.options.db, blockId);
    if (!block) throw new TetherError('not_found', `No block ${blockId}.`);
    return block;
  }
}

function requireSameConnection(live: LiveSession, connection: string): void {
  if (live.row.connection === connection) return;
  throw new TetherError(
    'wrong_connection',
    `Session ${live.row.id.slice(0, 8)} runs on ${live.row.connection}, not on ${connection}.`,
  );
}
