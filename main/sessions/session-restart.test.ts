/**
 * Restarting a done session from a block, against real parts. A restart binds
 * the block to the session, so it must obey the rules attach obeys: the block
 * exists, is on the session's connection, and leaves the session it showed.
 *
 * These guard fixed bugs: restart once bound the block without looking it up,
 * checking its connection, or leaving the block's previous session, and each
 * case below left memory and database disagreeing (the checker then counted
 * crossConnectionBlock / attachedDrift / deadlineSet repairs).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { getBlock } from '../../db/repositories/blocks';
import { SessionRig } from '../testing/session-rig';
import type { TestClient } from '../testing/core-harness';

let rig: SessionRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Kill a session's shell and wait until the manager has marked it done. */
async function endShell(r: SessionRig, sessionId: string): Promise<void> {
  // A session on another connection starts outside the manager's queue.
  await until(() => Boolean(r.manager.sessions.get(sessionId)?.shell), 'the shell to start');
  process.kill(r.manager.sessions.get(sessionId)!.shell!.pid, 'SIGKILL');
  await until(() => r.manager.sessions.get(sessionId)?.row.status === 'done', 'the session to end');
}

/** A rig with the first block attached to its session, and a second, done session nobody shows. */
async function setUp(connection = 'local'): Promise<{
  r: SessionRig;
  client: TestClient;
  blockId: string;
  shown: string;
  done: string;
}> {
  const r = (rig = await SessionRig.start());
  const client = r.client();
  const { workspace } = await client.request('loadWorkspace', {});
  const blockId = workspace.tabs[0]!.layout.focusedBlockId;
  const { zone: shown } = await client.request('attachBlock', { blockId, cols: 80, rows: 24 });
  const { id: done } = await r.manager.create(connection, null);
  await endShell(r, done);
  return { r, client, blockId, shown, done };
}

const restart = (client: TestClient, sessionId: string, blockId: string) =>
  client.call('restartSession', { sessionId, blockId, cols: 80, rows: 24 });

describe('restartSession from a block', () => {
  it('moves a block that showed another session: that session no longer counts it', async () => {
    const { r, client, blockId, shown, done } = await setUp();
    expect((await restart(client, done, blockId)).ok).toBe(true);

    expect((await getBlock(r.db, blockId))?.sessionId).toBe(done);
    expect([...r.manager.sessions.get(done)!.attached]).toEqual([blockId]);
    expect([...r.manager.sessions.get(shown)!.attached]).toEqual([]);
    expect(await r.checker.run()).toEqual({});
  });

  it('refuses a block that does not exist with not_found, attaching nothing', async () => {
    const { r, client, done } = await setUp();
    const result = await restart(client, done, randomUUID());
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect([...r.manager.sessions.get(done)!.attached]).toEqual([]);
    expect(await r.checker.run()).toEqual({});
  });

  it("refuses a block on another connection than the session's with wrong_connection", async () => {
    const { r, client, blockId, shown, done } = await setUp('elsewhere');
    const result = await restart(client, done, blockId);
    expect(result).toMatchObject({ ok: false, error: { code: 'wrong_connection' } });
    expect((await getBlock(r.db, blockId))?.sessionId).toBe(shown);
    expect(r.manager.sessions.get(done)!.row.status).toBe('done');
    expect(await r.checker.run()).toEqual({});
  });
});
