/**
 * Requests a client fires without waiting for replies take effect in the
 * order they were sent, through the core against a real SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { leafIds, type Workspace } from '../../preload/layout';
import { startHarness, type Harness, type TestClient } from '../testing/core-harness';
import { leaf, split, tab } from '../testing/workspace-fixtures';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function start(): Promise<{ h: Harness; client: TestClient }> {
  harness = await startHarness();
  return { h: harness, client: harness.client() };
}

const load = (client: TestClient) => client.request('loadWorkspace', {});
const save = (client: TestClient, workspace: unknown) =>
  client.call('saveWorkspace', { workspace });

describe('request order', () => {
  it('applies saves fired without waiting in the order they were sent', async () => {
    const { client } = await start();
    const { workspace } = await load(client);
    const renamed = (name: string): Workspace => ({
      ...workspace,
      tabs: [{ ...workspace.tabs[0]!, name }],
    });
    const results = await Promise.all(
      ['First', 'Second', 'Third', 'Fourth'].map((name) => save(client, renamed(name))),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect((await load(client)).workspace).toEqual(renamed('Fourth'));
  });

  it('keeps a new block that a save sent before its reply did not show', async () => {
    const { h, client } = await start();
    const { workspace } = await load(client);
    const [first] = workspace.tabs;
    const original = first!.layout.root;

    // Split: createBlock goes out, then a save the client had already queued (a rename).
    const creating = client.request('createBlock', { connection: 'local' });
    const staleSave = save(client, { ...workspace, tabs: [{ ...first!, name: 'Renamed' }] });
    const created = await creating;
    // With the reply in hand, the split is placed; a second split and save follow at once.
    const splitTab = tab('Renamed', split('row', [original, leaf(created.id)], [50, 50]));
    const placed = { tabs: [{ ...splitTab, id: first!.id }], activeTabId: first!.id };
    const placing = save(client, placed);
    const creatingAgain = client.request('createBlock', { connection: 'local' });
    const laterSave = save(client, placed);

    expect((await staleSave).ok).toBe(true);
    expect((await placing).ok).toBe(true);
    const again = await creatingAgain;
    expect((await laterSave).ok).toBe(true);

    const reply = await load(client);
    expect(reply.workspace).toEqual(placed);
    expect(reply.blocks.map((block) => block.id)).toEqual([leafIds(original)[0], created.id]);
    // The second new block is still waiting for its save, so it can still be placed.
    const final = {
      tabs: [...placed.tabs, tab('Third', leaf(again.id))],
      activeTabId: first!.id,
    };
    expect((await save(client, final)).ok).toBe(true);
    await h.restart();
    expect((await load(h.client())).workspace).toEqual(final);
  });
});
