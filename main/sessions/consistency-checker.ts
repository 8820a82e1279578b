/**
 * The consistency checker and reaper (DESIGN.md §3): at start-up and then
 * every `intervalMs`, it makes memory, SQLite and the real shells agree, and
 * stops sessions nobody has shown for too long. It repairs through the
 * manager's queue, so no operation sees it halfway; every repair is counted,
 * logged, and readable over the API.
 */
import type { Kysely } from 'kysely';
import { listBlocks } from '../../db/repositories/blocks';
import { listSessions } from '../../db/repositories/sessions';
import type { Database } from '../../db/schema';
import type { CheckerReport } from '../../preload/contract';
import { cleanName, nameProblem, repairName } from '../../preload/layout';
import type { Liveness, ShellBackend } from '../backends/backend';
import type { Logger } from '../log';
import type { LiveSession } from './live-session';
import type { SessionManager } from './session-manager';
import { DURABLE_FIELDS } from './session-records';

export type CheckerOptions = {
  db: Kysely<Database>;
  manager: SessionManager;
  log: Logger;
  /** Default 60 s (TETHER_CHECK_INTERVAL_MS overrides it in core.ts). */
  intervalMs?: number;
  now?: () => number;
  /** Overrides the backend's probe for shells with a pid (tests simulate a shell that vanished). */
  isAlive?: (pid: number) => boolean;
};

export class ConsistencyChecker {
  private readonly counts: Record<string, number> = {};
  private runs = 0;
  private lastRunAt: number | null = null;
  private lastDurationMs: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: CheckerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Run once now, then every interval. */
  async start(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) => this.options.log.error('checker: run failed', error));
    }, this.options.intervalMs ?? 60_000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  report(): CheckerReport {
    return {
      runs: this.runs,
      lastRunAt: this.lastRunAt,
      lastDurationMs: this.lastDurationMs,
      repairs: { ...this.counts },
    };
  }

  /** One full check; returns the repairs it made, by kind. */
  run(): Promise<Record<string, number>> {
    return this.options.manager.exclusive(async () => {
      const started = performance.now();
      const repairs: Record<string, number> = {};
      const repair = (kind: string, detail: string) => {
        repairs[kind] = (repairs[kind] ?? 0) + 1;
        this.counts[kind] = (this.counts[kind] ?? 0) + 1;
        this.options.log.warn(`checker: ${kind}: ${detail}`);
      };
      await this.memoryVersusDatabase(repair);
      await this.names(repair);
      await this.blocksVersusSessions(repair);
      await this.backends(repair);
      await this.reap(repair);
      this.runs++;
      this.lastRunAt = this.now();
      this.lastDurationMs = performance.now() - started;
      return repairs;
    });
  }

  private async memoryVersusDatabase(repair: Repair): Promise<void> {
    const { db, manager } = this.options;
    const rows = new Map((await listSessions(db)).map((row) => [row.id, row]));
    for (const live of [...manager.sessions.values()]) {
      const row = rows.get(live.row.id);
      if (!row) {
        repair('memoryWithoutRow', `session ${live.row.id} had no row; stopped and dropped`);
        manager.drop(live);
        continue;
      }
      const drift = DURABLE_FIELDS.filter((field) => row[field] !== live.row[field]);
      if (live.dirty || drift.length > 0) {
        // Memory owns status; the row is brought back in line with it. A row that still
        // can't be written stays dirty for the next run; the rest of this run goes on.
        try {
          await manager.records.rewrite(live);
          repair(
            'rowDrift',
            `session ${live.row.id}: rewrote ${drift.join(', ') || 'a failed write'}`,
          );
        } catch (error) {
          live.dirty = true;
          repair('rewriteFailed', `session ${live.row.id}: ${errorMessage(error)}`);
        }
      }
    }
    const loaded: LiveSession[] = [];
    for (const row of rows.values()) {
      if (manager.sessions.has(row.id)) continue;
      loaded.push(manager.records.track(row));
      repair('rowWithoutMemory', `session ${row.id} was only in the database; loaded`);
    }
    // Its backend says whether a shell still runs it.
    if (loaded.length > 0) await manager.recover(loaded);
  }

  /**
   * Names stored before the name rule (or by hand) that it refuses: a lone surrogate reads
   * back as U+FFFD, so two sessions could share a name; a direction mark or an invisible
   * character lets one name pass for another. Repaired as repairName says; a repair that
   * would take another session's name leaves this one unnamed.
   */
  private async names(repair: Repair): Promise<void> {
    const { manager } = this.options;
    const lives = [...manager.sessions.values()];
    for (const live of lives) {
      const name = live.row.name;
      if (name === null || (nameProblem(name) === null && cleanName(name) === name)) continue;
      let fixed = repairName(name);
      const taken = (other: LiveSession) =>
        other !== live && other.row.connection === live.row.connection && other.row.name === fixed;
      if (fixed !== null && lives.some(taken)) fixed = null;
      try {
        await manager.records.persist(live, { name: fixed }, 'The session could not be renamed');
      } catch (error) {
        repair('rewriteFailed', `session ${live.row.id}: ${errorMessage(error)}`);
        continue;
      }
      live.shell?.rename?.(fixed);
      manager.records.emitChanged(live);
      repair(
        'badName',
        `session ${live.row.id}: its name ${JSON.stringify(name)} broke the name rule; now ${fixed === null ? 'unnamed' : JSON.stringify(fixed)}`,
      );
    }
  }

  private async blocksVersusSessions(repair: Repair): Promise<void> {
    const { db, manager } = this.options;
    const expected = new Map<string, Set<string>>();
    for (const block of await listBlocks(db)) {
      if (!block.sessionId) continue;
      const live = manager.sessions.get(block.sessionId);
      const wrongConnection = live && live.row.connection !== block.connection;
      if (!live || wrongConnection) {
        await manager.attachments.detachStray(block);
        repair(
          live ? 'crossConnectionBlock' : 'danglingBlock',
          `block ${block.id} pointed at ${live ? 'a session on another connection' : 'a missing session'} ${block.sessionId}; detached`,
        );
        continue;
      }
      const set = expected.get(live.row.id) ?? new Set<string>();
      set.add(block.id);
      expected.set(live.row.id, set);
    }
    for (const live of manager.sessions.values()) {
      const want = expected.get(live.row.id) ?? new Set<string>();
      if (sameSet(want, live.attached)) continue;
      repair('attachedDrift', `session ${live.row.id}: attached blocks corrected`);
      manager.attachments.correct(live, want);
    }
    for (const live of manager.sessions.values()) {
      const deadline = live.row.idleDeadline;
      if (live.attached.size > 0 && deadline !== null) {
        await manager.records.writeForced(live, { idleDeadline: null });
      } else if (live.attached.size === 0 && deadline === null) {
        await manager.records.writeForced(live, { idleDeadline: manager.records.deadline(live) });
        repair('deadlineSet', `session ${live.row.id} had no idle deadline`);
      }
    }
  }

  /** Running sessions whose shell is gone become done; each backend is asked once per connection. */
  private async backends(repair: Repair): Promise<void> {
    const { manager, isAlive } = this.options;
    const batches = new Map<string, { backend: ShellBackend; lives: LiveSession[] }>();
    const gone = async (live: LiveSession, reason: string, exitCode?: number | null) => {
      repair('backendGone', `session ${live.row.id}: its shell is gone (${reason}); marked done`);
      await manager.records.transition(live, 'backendGone', {
        doneReason: reason,
        exitCode: exitCode ?? null,
      });
    };
    for (const live of [...manager.sessions.values()]) {
      if (live.row.status !== 'running') continue;
      const backend = manager.backendOf(live);
      if (!live.shell || !backend || !live.row.backendRef) {
        await gone(live, 'The shell is gone.');
      } else if (isAlive && live.shell.pid > 0) {
        if (!isAlive(live.shell.pid)) await gone(live, 'The shell is gone.');
      } else {
        const key = `${backend.kind} ${live.row.connection}`;
        const batch = batches.get(key) ?? { backend, lives: [] };
        batch.lives.push(live);
        batches.set(key, batch);
      }
    }
    for (const { backend, lives } of batches.values()) {
      const connection = lives[0]!.row.connection;
      let answers: Map<string, Liveness>;
      try {
        answers = await backend.probe(
          connection,
          lives.map((live) => live.row.backendRef!),
        );
      } catch (error) {
        this.options.log.warn(
          `checker: ${backend.kind} on ${connection} could not be asked`,
          error,
        );
        continue;
      }
      for (const live of lives) {
        const answer = answers.get(live.row.backendRef!);
        // Asked while the queue was held, but a shell may have ended on its own meanwhile.
        if (answer?.state !== 'gone' || live.row.status !== 'running') continue;
        await gone(live, answer.reason, answer.exitCode);
      }
    }
  }

  private async reap(repair: Repair): Promise<void> {
    const { manager } = this.options;
    const now = this.now();
    for (const live of [...manager.sessions.values()]) {
      const deadline = live.row.idleDeadline;
      if (live.attached.size > 0 || deadline === null || deadline > now) continue;
      const kind = live.row.status === 'done' ? 'doneReaped' : 'idleReaped';
      await manager.deleteNow(live);
      repair(kind, `session ${live.row.id} unattached past its deadline; deleted`);
    }
  }
}

type Repair = (kind: string, detail: string) => void;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
