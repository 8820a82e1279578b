/**
 * The consistency rules of DESIGN.md §3 as one test assertion over a rig:
 * memory and database agree on every durable field, every block's session
 * exists on the block's connection, each session's attached set is exactly
 * the blocks pointing at it, and only a session nobody shows has an idle
 * deadline. Tests call it after whatever they did to the rig.
 */
import { expect } from 'vitest';
import { listBlocks } from '../../db/repositories/blocks';
import { listSessions } from '../../db/repositories/sessions';
import { DURABLE_FIELDS } from '../sessions/session-records';
import type { SessionRig } from './session-rig';

export async function expectConsistent(rig: SessionRig): Promise<void> {
  const manager = rig.manager;
  await manager.flushActivity();
  const rows = new Map((await listSessions(rig.db)).map((row) => [row.id, row]));
  const blocks = await listBlocks(rig.db);

  expect(new Set(manager.sessions.keys()), 'sessions in memory and in the database').toEqual(
    new Set(rows.keys()),
  );
  for (const live of manager.sessions.values()) {
    const row = rows.get(live.row.id)!;
    for (const field of DURABLE_FIELDS) {
      expect(live.row[field], `session ${live.row.id} ${field}`).toEqual(row[field]);
    }
    expect(live.dirty, `session ${live.row.id} has a write to retry`).toBe(false);
  }

  for (const block of blocks) {
    if (block.sessionId === null) continue;
    const live = manager.sessions.get(block.sessionId);
    expect(live, `block ${block.id} points at a session that exists`).toBeDefined();
    expect(live!.row.connection, `block ${block.id} is on its session's connection`).toBe(
      block.connection,
    );
  }

  for (const live of manager.sessions.values()) {
    const pointing = blocks.filter((block) => block.sessionId === live.row.id);
    expect(new Set(live.attached), `attached blocks of ${live.row.id}`).toEqual(
      new Set(pointing.map((block) => block.id)),
    );
    if (live.attached.size > 0) {
      expect(live.row.idleDeadline, `shown session ${live.row.id} has no deadline`).toBeNull();
    } else {
      expect(live.row.idleDeadline, `unshown session ${live.row.id} has a deadline`).toEqual(
        expect.any(Number),
      );
    }
  }
}
