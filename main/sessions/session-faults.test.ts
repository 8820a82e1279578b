/**
 * Database writes that fail mid-operation, forced with a SQLite trigger on
 * the real file: a user's request answers `storage_failed` and changes
 * nothing, in memory or on disk; a change reality forced (a shell exited) is
 * kept in memory, marked dirty, and written by the checker once the database
 * takes writes again (DESIGN.md §3: never disagree silently).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getBlock } from '../../db/repositories/blocks';
import { getSession } from '../../db/repositories/sessions';
import type { SessionEvent } from '../../preload/contract';
import type { TestClient } from '../testing/core-harness';
import { expectConsistent } from '../testing/session-invariants';
import { SessionRig } from '../testing/session-rig';
import { isAlive, withRawDatabase } from '../testing/workspace-fixtures';

let rig: SessionRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

const FAULT = 'disk full';

function addFault(r: SessionRig, when: string): void {
  withRawDatabase(r.dataDir, (db) =>
    db.exec(`CREATE TRIGGER fault ${when} BEGIN SELECT RAISE(ABORT, '${FAULT}'); END;`),
  );
}

function dropFault(r: SessionRig): void {
  withRawDatabase(r.dataDir, (db) => db.exec('DROP TRIGGER fault'));
}

const storageFailed = (message: string) => ({
  ok: false,
  error: { code: 'storage_failed', message: `${message}: ${FAULT}` },
});

/** A rig whose first block shows a running session, followed by one client. */
async function setUp(): Promise<{
  r: SessionRig;
  client: TestClient;
  blockId: string;
  sessionId: string;
}> {
  const r = (rig = await SessionRig.start());
  const client = r.client();
  const { workspace } = await client.request('loadWorkspace', {});
  const blockId = workspace.tabs[0]!.layout.focusedBlockId;
  const reply = await client.request('attachBlock', { blockId, cols: 80, rows: 24 });
  expect(reply.session.status).toBe('running');
  return { r, client, blockId, sessionId: reply.zone };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The shell still answers through this block. */
async function expectShellAnswers(
  client: TestClient,
  zone: string,
  blockId: string,
): Promise<void> {
  await client.request('writeZone', { zone, blockId, data: 'echo alive-$((6+7))\r' });
  await client.untilText(zone, /alive-13/);
}

describe('a user request whose write fails', () => {
  it('rename: storage_failed, and memory and database keep the old name', async () => {
    const { r, client } = await setUp();
    const session = await client.request('createSession', { connection: 'local', name: 'before' });
    addFault(r, 'BEFORE UPDATE ON sessions');

    const result = await client.call('renameSession', { sessionId: session.id, name: 'after' });
    expect(result).toEqual(storageFailed('The session could not be renamed'));
    expect(r.manager.sessions.get(session.id)!.row.name).toBe('before');
    expect((await getSession(r.db, session.id))?.name).toBe('before');
    expect(await client.request('sessionInfo', { sessionId: session.id })).toMatchObject({
      name: 'before',
      displayName: 'before',
    });

    dropFault(r);
    await expectConsistent(r);
    expect((await client.call('renameSession', { sessionId: session.id, name: 'after' })).ok).toBe(
      true,
    );
    expect((await getSession(r.db, session.id))?.name).toBe('after');
  });

  it('create: storage_failed, and no session in memory or on disk', async () => {
    const { r, client } = await setUp();
    const before = await client.request('listSessions', {});
    addFault(r, 'BEFORE INSERT ON sessions');

    expect(await client.call('createSession', { connection: 'local', name: 'new' })).toEqual(
      storageFailed('The session could not be created'),
    );
    // A block with a session of its own fails the same way, and leaves no block behind.
    expect(await client.call('createBlock', { connection: 'local' })).toEqual(
      storageFailed('The session could not be created'),
    );
    expect(await client.request('listSessions', {})).toEqual(before);
    expect(r.manager.sessions.size).toBe(before.length);

    dropFault(r);
    await expectConsistent(r);
    expect(await r.checker.run()).toEqual({});
  });

  it('attachSession switching a block: storage_failed, and the block stays on its session', async () => {
    const { r, client, blockId, sessionId } = await setUp();
    const other = await client.request('createSession', { connection: 'local' });
    addFault(r, 'BEFORE UPDATE ON blocks');

    const result = await client.call('attachSession', {
      blockId,
      sessionId: other.id,
      cols: 80,
      rows: 24,
    });
    expect(result).toEqual(storageFailed('The block could not be attached'));
    expect((await getBlock(r.db, blockId))?.sessionId).toBe(sessionId);
    expect([...r.manager.sessions.get(sessionId)!.attached]).toEqual([blockId]);
    expect([...r.manager.sessions.get(other.id)!.attached]).toEqual([]);
    // The window still follows the old session through that block.
    await expectShellAnswers(client, sessionId, blockId);

    // Detaching fails the same way and changes nothing either.
    expect(await client.call('detachBlock', { blockId })).toEqual(
      storageFailed('The block could not be detached'),
    );
    expect((await getBlock(r.db, blockId))?.sessionId).toBe(sessionId);
    expect([...r.manager.sessions.get(sessionId)!.attached]).toEqual([blockId]);

    dropFault(r);
    await expectConsistent(r);
    expect(await r.checker.run()).toEqual({});
  });

  it('delete: storage_failed, and the session is still there, running and shown', async () => {
    const { r, client, blockId, sessionId } = await setUp();
    const pid = r.manager.sessions.get(sessionId)!.shell!.pid;
    addFault(r, 'BEFORE DELETE ON sessions');

    expect(await client.call('deleteSession', { sessionId })).toEqual(
      storageFailed('The session could not be deleted'),
    );
    expect(r.manager.sessions.get(sessionId)!.row.status).toBe('running');
    expect((await getSession(r.db, sessionId))?.status).toBe('running');
    // The blocks were detached in the same transaction, which rolled back.
    expect((await getBlock(r.db, blockId))?.sessionId).toBe(sessionId);
    expect([...r.manager.sessions.get(sessionId)!.attached]).toEqual([blockId]);
    expect(isAlive(pid)).toBe(true);
    await expectShellAnswers(client, sessionId, blockId);

    dropFault(r);
    await expectConsistent(r);
    expect((await client.call('deleteSession', { sessionId })).ok).toBe(true);
    expect(await getSession(r.db, sessionId)).toBeUndefined();
  });
});

describe('restarting a done session while writes fail', () => {
  it('answers storage_failed and the session stays done with no shell', async () => {
    const { r, client, blockId, sessionId } = await setUp();
    await client.request('writeZone', { zone: sessionId, blockId, data: 'exit 4\r' });
    const live = r.manager.sessions.get(sessionId)!;
    await until(() => live.row.status === 'done', 'the session to be done');
    addFault(r, 'BEFORE UPDATE ON sessions');

    expect(await client.call('restartSession', { sessionId, blockId, cols: 80, rows: 24 })).toEqual(
      storageFailed('The session could not be changed'),
    );
    expect(live.row).toMatchObject({ status: 'done', exitCode: 4 });
    expect(live.shell).toBeNull();
    expect((await getSession(r.db, sessionId))?.status).toBe('done');

    dropFault(r);
    await expectConsistent(r);
    const again = await client.request('restartSession', {
      sessionId,
      blockId,
      cols: 80,
      rows: 24,
    });
    expect(again.session.status).toBe('running');
  });
});

describe('a shell that exits while session writes fail', () => {
  it('is done in memory, dirty, and written by the next checker run once writes work', async () => {
    const { r, client, sessionId } = await setUp();
    const live = r.manager.sessions.get(sessionId)!;
    addFault(r, 'BEFORE UPDATE ON sessions');

    process.kill(live.shell!.pid, 'SIGKILL');
    await until(() => live.row.status === 'done', 'the session to be done in memory');
    expect(live.row).toMatchObject({ exitCode: null, exitSignal: 9 });
    expect(live.dirty).toBe(true);
    expect((await getSession(r.db, sessionId))?.status).toBe('running');
    // Windows are told what memory says: the shell is gone.
    await client.until(
      () =>
        client.events.some(
          (event) =>
            event.name === 'sessionChanged' &&
            (event.payload as SessionEvent).session.id === sessionId &&
            (event.payload as SessionEvent).session.status === 'done',
        ),
      'a sessionChanged saying done',
    );

    // While writes still fail the checker cannot write it either: it says so, the change
    // stays pending, and the rest of its run goes on.
    const failed = await r.checker.run();
    expect(failed.rewriteFailed).toBeGreaterThanOrEqual(1);
    expect(live.dirty).toBe(true);
    expect((await getSession(r.db, sessionId))?.status).toBe('running');

    dropFault(r);
    const repairs = await r.checker.run();
    expect(repairs.rowDrift).toBeGreaterThanOrEqual(1);
    expect(live.dirty).toBe(false);
    expect(await getSession(r.db, sessionId)).toMatchObject({
      status: 'done',
      exitCode: null,
      exitSignal: 9,
      doneReason: 'The shell was killed by signal 9.',
    });
    await expectConsistent(r);
    expect(await r.checker.run()).toEqual({});
    expect(r.checker.report().repairs.rowDrift).toBe(repairs.rowDrift);
  });
});
