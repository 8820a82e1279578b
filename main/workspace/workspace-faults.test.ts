/**
 * A database write that fails part-way (forced with a SQLite trigger on the
 * real file) leaves the stored workspace as it was, detaches no block from its
 * session, answers with `storage_failed`, and does not stop later requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../preload/layout';
import { startHarness, type Harness, type TestClient } from '../testing/core-harness';
import {
  createBlocks,
  isAlive,
  leaf,
  shellPid,
  split,
  tab,
  withRawDatabase,
  workspaceOf,
} from '../testing/workspace-fixtures';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

const load = (client: TestClient) => client.request('loadWorkspace', {});

function addTrigger(h: Harness, when: string): void {
  withRawDatabase(h.dataDir, (db) =>
    db.exec(`CREATE TRIGGER fault ${when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END;`),
  );
}

function dropTrigger(h: Harness): void {
  withRawDatabase(h.dataDir, (db) => db.exec('DROP TRIGGER fault'));
}

/** Two tabs, the second with a running shell; and a next workspace that drops that tab. */
async function setUp() {
  const h = (harness = await startHarness());
  const client = h.client();
  const [a, b, c] = await createBlocks(client, 3);
  const before = workspaceOf([
    tab('Kept', split('row', [leaf(a!), leaf(b!)], [50, 50])),
    tab('Doomed', leaf(c!)),
  ]);
  expect((await client.call('saveWorkspace', { workspace: before })).ok).toBe(true);
  const doomed = await client.request('attachBlock', { blockId: c!, cols: 80, rows: 24 });
  const [d] = await createBlocks(client, 1);
  // Drops a tab (a row deleted, a block closed) and adds one (a row inserted), renaming another.
  const after: Workspace = workspaceOf(
    [{ ...before.tabs[0]!, name: 'Renamed' }, tab('New', leaf(d!))],
    1,
  );
  return { h, client, before, after, doomed, doomedBlock: c! };
}

describe('a save whose write fails', () => {
  const faults = [
    { where: 'inserting a tab (an early step)', when: 'BEFORE INSERT ON tabs' },
    { where: 'deleting a block (the last step)', when: 'BEFORE DELETE ON blocks' },
    { where: 'storing the active tab', when: 'BEFORE UPDATE ON settings' },
  ];

  for (const { where, when } of faults) {
    it(`while ${where} changes nothing and detaches no block`, async () => {
      const { h, client, before, after, doomed, doomedBlock } = await setUp();
      const stored = await load(client);
      addTrigger(h, when);

      const result = await client.call('saveWorkspace', { workspace: after });
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'storage_failed',
          message: 'The workspace could not be saved: injected fault',
        },
      });
      expect(await load(client)).toEqual(stored);
      expect(stored.workspace).toEqual(before);
      expect(isAlive(shellPid(h.dataDir, doomed.zone))).toBe(true);
      const session = await client.request('sessionInfo', { sessionId: doomed.zone });
      expect(session).toMatchObject({ status: 'running', attachedBlocks: [doomedBlock] });
      await client.request('writeZone', {
        zone: doomed.zone,
        blockId: doomedBlock,
        data: 'echo alive-$((3+4))\r',
      });
      await client.untilText(doomed.zone, /alive-7/);

      // Once the fault is gone the same save goes through.
      dropTrigger(h);
      expect((await client.call('saveWorkspace', { workspace: after })).ok).toBe(true);
      expect((await load(client)).workspace).toEqual(after);
    });
  }

  it('survives a restart: the file still holds the workspace from before', async () => {
    const { h, client, before, after } = await setUp();
    addTrigger(h, 'BEFORE DELETE ON blocks');
    expect(await client.call('saveWorkspace', { workspace: after })).toMatchObject({
      ok: false,
      error: { code: 'storage_failed' },
    });
    dropTrigger(h);
    await h.restart();
    expect((await load(h.client())).workspace).toEqual(before);
  });
});

describe('createBlock whose write fails', () => {
  it('answers storage_failed and the queue keeps serving', async () => {
    const { h, client, before } = await setUp();
    addTrigger(h, 'BEFORE INSERT ON blocks');
    const failed = client.call('createBlock', { connection: 'local' });
    // Queued behind the failure, and still answered.
    const loaded = load(client);
    expect(await failed).toEqual({
      ok: false,
      error: {
        code: 'storage_failed',
        message: 'The new terminal could not be stored: injected fault',
      },
    });
    expect((await loaded).workspace).toEqual(before);
    dropTrigger(h);
    expect((await client.call('createBlock', { connection: 'local' })).ok).toBe(true);
  });
});
