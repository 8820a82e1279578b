/**
 * (c) One consistency-checker cycle over 500 sessions and 1,000 blocks, in a
 * real SQLite file, against the baseline of the two reads every cycle must do
 * (all sessions, all blocks) timed in the same run. Sessions are done (a
 * cycle's cost is in the comparisons and reads, not in shells); each is shown
 * by two blocks so nothing is reaped and every cycle does the same work.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/open-database';
import { insertBlock, listBlocks } from '../db/repositories/blocks';
import { insertSession, listSessions } from '../db/repositories/sessions';
import { createLogger } from '../main/log';
import { ConsistencyChecker } from '../main/sessions/consistency-checker';
import { createMirrorPool } from '../main/sessions/mirror/mirror-pool';
import { SessionManager } from '../main/sessions/session-manager';
import { ptyBackend } from '../main/backends/pty-backend';

export type CheckerResult = {
  cycleMs: number[];
  readsMs: number[];
  sessions: number;
  blocks: number;
};

export async function measureCheckerCycle(
  sessions = 500,
  blocksPerSession = 2,
  cycles = 20,
): Promise<CheckerResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-bench-checker-'));
  const opened = await openDatabase(join(dir, 'tether.db'));
  const { db } = opened;
  const log = createLogger('silent');
  const mirrors = createMirrorPool();
  const now = Date.now();
  await db.transaction().execute(async (transaction) => {
    for (let i = 0; i < sessions; i++) {
      const id = randomUUID();
      await insertSession(transaction, {
        id,
        name: i % 2 === 0 ? `session-${i}` : null,
        connection: 'local',
        backend: 'pty',
        status: 'done',
        backendRef: null,
        doneReason: 'bench',
        exitCode: 0,
        exitSignal: null,
        topic: null,
        cols: 80,
        rows: 24,
        createdAt: now - i,
        lastActiveAt: now - i,
        lastOutputAt: null,
        idleDeadline: null,
      });
      for (let b = 0; b < blocksPerSession; b++) {
        await insertBlock(transaction, {
          id: randomUUID(),
          connection: 'local',
          sessionId: id,
          createdAt: now,
          updatedAt: now,
        });
      }
    }
  });
  const manager = new SessionManager({
    db,
    backend: ptyBackend,
    mirrors,
    shell: () => ({ file: '/bin/sh', args: [] }),
    cwd: dir,
    env: () => ({}),
    log,
    events: { changed: () => {}, removed: () => {}, blockChanged: () => {} },
  });
  try {
    await manager.start();
    const checker = new ConsistencyChecker({ db, manager, log });
    await checker.run(); // settles anything start-up left (none expected), warms caches
    const cycleMs: number[] = [];
    const readsMs: number[] = [];
    for (let i = 0; i < cycles; i++) {
      let started = performance.now();
      await listSessions(db);
      await listBlocks(db);
      readsMs.push(performance.now() - started);
      started = performance.now();
      const repairs = await checker.run();
      cycleMs.push(performance.now() - started);
      if (Object.keys(repairs).length > 0) {
        throw new Error(`a clean workspace needed repairs: ${JSON.stringify(repairs)}`);
      }
    }
    return { cycleMs, readsMs, sessions, blocks: sessions * blocksPerSession };
  } finally {
    await manager.dispose();
    await mirrors.dispose();
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
