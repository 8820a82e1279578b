/**
 * The one writer of session records: every session in memory, its row in
 * SQLite, and the events that tell windows about them.
 *
 * - Status changes only through the lifecycle table (lifecycle.ts); an
 *   illegal transition is refused and logged, so a late event (output, an
 *   exit after a delete) can never bring a done session back.
 * - Memory and SQLite agree: a user's change is written first and memory
 *   changes only if that worked (`persist`); a change reality forced (a shell
 *   exited) is kept in memory even if its write fails, marked dirty, reported,
 *   and written again by the consistency checker (`writeForced`, `rewrite`).
 * - Activity times change on every keystroke: they are collected and written
 *   in batches (`flushActivity`).
 */
import type { Kysely } from 'kysely';
import { DuplicateNameError, updateSession } from '../../db/repositories/sessions';
import type { Database, SessionRow, SessionUpdate } from '../../db/schema';
import type { BlockInfo, SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { Logger } from '../log';
import { DEFAULT_ZONE_OPTIONS, type ZoneOptions } from '../terminals/zone';
import { nextStatus, type LifecycleEvent } from './lifecycle';
import { createLiveSession, type LiveSession } from './live-session';
import { MirrorLog } from './mirror/mirror-log';
import type { MirrorPool } from './mirror/mirror-pool';
import { idleDeadline, toSessionInfo, type IdlePolicy } from './session-info';
import type { SessionEvents } from './session-options';

export type SessionRecordsOptions = {
  db: Kysely<Database>;
  mirrors: MirrorPool;
  log: Logger;
  events: SessionEvents;
  idle: IdlePolicy;
  now: () => number;
  zone?: Partial<Omit<ZoneOptions, 'onPressure'>>;
  /** Why a session's shell does not survive the app (its backend says), or null. */
  notDurable(live: LiveSession): string | null;
  /** A session became done: its shell is let go before the change is written. */
  retire(live: LiveSession): void;
};

/** Fields that must agree between memory and the row; activity times are written lazily. */
export const DURABLE_FIELDS = [
  'name',
  'connection',
  'backend',
  'status',
  'backendRef',
  'doneReason',
  'exitCode',
  'exitSignal',
  'idleDeadline',
] as const satisfies readonly (keyof SessionRow)[];

export class SessionRecords {
  readonly sessions = new Map<string, LiveSession>();
  /** Says in the log, without flooding it, when mirrors fall behind. */
  readonly mirrorLog: MirrorLog;
  /** Sessions whose activity times changed since the last write. */
  private readonly activity = new Set<string>();
  private quiet = false;

  constructor(private readonly options: SessionRecordsOptions) {
    this.mirrorLog = new MirrorLog(options.log);
  }

  get now(): number {
    return this.options.now();
  }

  /** Start tracking a row (loaded as it is) with a fresh zone and mirror. */
  track(row: SessionRow): LiveSession {
    const live = createLiveSession(row, { ...DEFAULT_ZONE_OPTIONS, ...this.options.zone });
    this.sessions.set(row.id, live);
    this.options.mirrors.open(row.id, row.cols, row.rows, {
      // Too much output waits to be parsed: the shell waits too, as for a page that lags.
      pressure: (held) => live.zone.hold('mirror', held),
      ...this.mirrorLog.hooksFor(row.id),
    });
    return live;
  }

  /** Forget a session whose row is gone (its shell is already ended), and say so. */
  forget(live: LiveSession): void {
    live.zone.dispose();
    this.options.mirrors.close(live.row.id);
    this.sessions.delete(live.row.id);
    this.activity.delete(live.row.id);
    this.options.events.removed(live.row.id);
  }

  require(sessionId: string): LiveSession {
    const live = this.sessions.get(sessionId);
    if (!live) throw new TetherError('not_found', `No session ${sessionId}.`);
    return live;
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
    if (to === 'done') this.options.retire(live);
    const change: SessionUpdate = { ...patch, status: to };
    if (to === 'done' && live.attached.size === 0) {
      change.idleDeadline = this.now + this.options.idle.doneMs;
    }
    // Strict (a user's request): written first, and a failure changes nothing. Otherwise
    // reality already changed, so memory follows it even if the write fails.
    if (strict) await this.persist(live, change, 'The session could not be changed');
    else await this.writeForced(live, change);
    this.options.log.info(`session ${live.row.id}: ${from} --${event}--> ${to}`);
    this.emitChanged(live);
    return true;
  }

  /** A user's change: written first; memory changes only if that worked. */
  async persist(live: LiveSession, patch: SessionUpdate, action: string): Promise<void> {
    await this.guard(action, () => updateSession(this.options.db, live.row.id, patch));
    Object.assign(live.row, patch);
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

  /** Write memory's durable fields over the row again (a failed write, drift); throws on failure. */
  async rewrite(live: LiveSession): Promise<void> {
    const patch: SessionUpdate = {};
    for (const field of DURABLE_FIELDS) Object.assign(patch, { [field]: live.row[field] });
    await updateSession(this.options.db, live.row.id, patch);
    live.dirty = false;
  }

  /** Database failures become `storage_failed` (or `name_taken`); TetherErrors pass through. */
  async guard<T>(action: string, work: () => Promise<T>): Promise<T> {
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

  /** The wall-clock time this session may be reaped once nothing shows it (null while shown). */
  deadline(live: LiveSession): number | null {
    return this.deadlineFor(live.row, live.attached.size);
  }

  deadlineFor(row: Pick<SessionRow, 'name' | 'status'>, attachedCount: number): number | null {
    return idleDeadline(row, attachedCount, this.now, this.options.idle);
  }

  /** Activity times, topic or size changed: written with the next batch. */
  active(live: LiveSession): void {
    this.activity.add(live.row.id);
  }

  /** Write pending activity times, topics and sizes (a recovered shell starts at its size). */
  async flushActivity(): Promise<void> {
    const ids = [...this.activity];
    this.activity.clear();
    for (const id of ids) {
      const live = this.sessions.get(id);
      if (!live) continue;
      const { lastActiveAt, lastOutputAt, topic, cols, rows } = live.row;
      try {
        await updateSession(this.options.db, id, { lastActiveAt, lastOutputAt, topic, cols, rows });
      } catch (error) {
        this.activity.add(id);
        this.options.log.warn(`session ${id}: activity could not be written`, error);
      }
    }
  }

  info(live: LiveSession): SessionInfo {
    return toSessionInfo(live.row, live, this.options.notDurable(live));
  }

  emitChanged(live: LiveSession): void {
    if (!this.quiet) this.options.events.changed(this.info(live));
  }

  emitBlockChanged(block: BlockInfo): void {
    if (!this.quiet) this.options.events.blockChanged(block);
  }

  /** The app is stopping: windows hear nothing more. */
  silence(): void {
    this.quiet = true;
  }
}
