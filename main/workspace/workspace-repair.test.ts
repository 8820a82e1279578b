/**
 * A damaged or old database never stops the core: rows are broken with raw
 * SQL in the real file, then the core restarts on it, repairs what it must,
 * says so, and still runs shells.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVE_TAB_KEY } from '../../db/repositories/tabs';
import type { Tab, Workspace } from '../../preload/layout';
import { leafIds } from '../../preload/layout';
import { PTY_ENDED_WITH_APP as RESTART_REASON } from '../backends/pty-backend';
import { startHarness, type Harness, type TestClient } from '../testing/core-harness';
import {
  createBlocks,
  leaf,
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

/** A core holding three saved tabs, the second one active. */
async function startWithTabs(): Promise<{ h: Harness; saved: Workspace }> {
  const h = (harness = await startHarness());
  const client = h.client();
  const [a, b, c, d] = await createBlocks(client, 4);
  const saved = workspaceOf(
    [
      tab('Build', split('row', [leaf(a!), leaf(b!)], [30, 70])),
      tab('Logs', leaf(c!)),
      tab('Deploy', leaf(d!)),
    ],
    1,
  );
  const result = await client.call('saveWorkspace', { workspace: saved });
  expect(result.ok).toBe(true);
  return { h, saved };
}

/** Damage one stored tab's row, restart the core on the file, and load. */
async function damage(h: Harness, tabId: string, change: string, ...values: unknown[]) {
  withRawDatabase(h.dataDir, (db) =>
    db.prepare(`UPDATE tabs SET ${change} WHERE id = ?`).run(...values, tabId),
  );
  await h.restart();
  return load(h.client());
}

/** The reset tab: same id and name, one new block, focused, nothing magnified. */
function expectReset(actual: Tab, original: Tab): void {
  expect(actual.id).toBe(original.id);
  expect(actual.name).toBe(original.name);
  const [blockId] = leafIds(actual.layout.root);
  expect(leafIds(original.layout.root)).not.toContain(blockId);
  expect(actual.layout).toEqual({
    root: { kind: 'leaf', blockId },
    focusedBlockId: blockId,
    magnifiedBlockId: null,
  });
}

/**
 * The block shows a session whose shell answers. `restarted`: the core restarted since the
 * session began, so its pty shell ended with the old core; it is done and restarts on request.
 */
async function expectShellRuns(
  client: TestClient,
  blockId: string,
  { restarted = false } = {},
): Promise<void> {
  let reply = await client.request('attachBlock', { blockId, cols: 80, rows: 24 });
  if (restarted) {
    expect(reply.session).toMatchObject({ status: 'done', doneReason: RESTART_REASON });
    const { zone: sessionId } = reply;
    reply = await client.request('restartSession', { sessionId, blockId, cols: 80, rows: 24 });
  }
  expect(reply.session.status).toBe('running');
  await client.request('writeZone', {
    zone: reply.zone,
    blockId,
    data: 'echo repaired-$((4*4))\r',
  });
  await client.untilText(reply.zone, /repaired-16/);
}

describe('a tab whose stored layout cannot be used', () => {
  const cases = [
    {
      what: 'corrupt JSON',
      change: 'layout = ?',
      values: ['{"root": {"kind": "le'],
      reason: 'the stored data is not valid JSON',
    },
    {
      what: 'an unknown layout version',
      change: 'layout_version = ?',
      values: [99],
      reason: 'it is stored in layout format 99, not 1',
    },
    {
      what: 'a layout the validator refuses',
      change: `layout = json_set(layout, '$.root.sizes', json('[30, 60]'))`,
      values: [],
      reason: /sum to 90, not 100/,
    },
  ];

  for (const { what, change, values, reason } of cases) {
    it(`is reset to one terminal on ${what}, with a warning; other tabs are intact`, async () => {
      const { h, saved } = await startWithTabs();
      const [build, logs, deploy] = saved.tabs;
      const reply = await damage(h, build!.id, change, ...values);

      expect(reply.warnings).toHaveLength(1);
      const [warning] = reply.warnings;
      expect(warning).toMatch(/^The layout of tab "Build" could not be read \(/);
      expect(warning).toMatch(/\); it was reset to one terminal\.$/);
      expect(warning).toMatch(reason);
      expect(reply.workspace.activeTabId).toBe(logs!.id);
      expect(reply.workspace.tabs.slice(1)).toEqual([logs, deploy]);
      expectReset(reply.workspace.tabs[0]!, build!);

      // The repair was written back: the next start finds nothing to fix.
      const [fresh] = leafIds(reply.workspace.tabs[0]!.layout.root);
      expect(reply.blocks.map((block) => block.id)).toEqual([
        fresh,
        ...leafIds(logs!.layout.root),
        ...leafIds(deploy!.layout.root),
      ]);
      await h.restart();
      const again = await load(h.client());
      expect(again.workspace).toEqual(reply.workspace);
      expect(again.warnings).toEqual([]);
      // The old blocks of the reset tab are gone; the new one shows a session.
      const client = h.client();
      const old = leafIds(build!.layout.root)[0]!;
      expect(await client.call('attachBlock', { blockId: old, cols: 80, rows: 24 })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
      await expectShellRuns(client, fresh!, { restarted: true });
    });
  }

  it('is reset when it shows a block an earlier tab shows', async () => {
    const { h, saved } = await startWithTabs();
    const [build, logs, deploy] = saved.tabs;
    const reply = await damage(h, deploy!.id, 'layout = ?', JSON.stringify(logs!.layout));
    expect(reply.warnings).toEqual([
      'The layout of tab "Deploy" could not be read (it shows a terminal that an earlier tab also shows); it was reset to one terminal.',
    ]);
    expect(reply.workspace.tabs.slice(0, 2)).toEqual([build, logs]);
    expectReset(reply.workspace.tabs[2]!, deploy!);
  });

  it('gets a fresh name when its name is unusable, and keeps a good layout', async () => {
    const { h, saved } = await startWithTabs();
    const [, logs] = saved.tabs;
    const reply = await damage(h, logs!.id, 'name = ?', '   ');
    expect(reply.warnings).toEqual([`A tab's name could not be read; it was renamed "Tab 2".`]);
    expect(reply.workspace.tabs[1]).toEqual({ ...logs, name: 'Tab 2' });
  });

  it('reports start-up repairs to every window that loads, not only the first', async () => {
    const { h, saved } = await startWithTabs();
    const first = await damage(h, saved.tabs[0]!.id, 'layout_version = ?', 2);
    expect(first.warnings).toHaveLength(1);
    expect((await load(h.client())).warnings).toEqual(first.warnings);
  });
});

describe('other repairs at start-up', () => {
  it('shows the first tab when the active tab is unknown', async () => {
    const { h, saved } = await startWithTabs();
    withRawDatabase(h.dataDir, (db) =>
      db
        .prepare('UPDATE settings SET value = ? WHERE key = ?')
        .run(JSON.stringify(randomUUID()), ACTIVE_TAB_KEY),
    );
    await h.restart();
    const reply = await load(h.client());
    expect(reply.workspace).toEqual({ ...saved, activeTabId: saved.tabs[0]!.id });
    expect(reply.warnings).toEqual([]);
  });

  it('recreates the row of a block a layout shows and deletes rows no layout shows', async () => {
    const { h, saved } = await startWithTabs();
    const shown = leafIds(saved.tabs[1]!.layout.root)[0]!;
    const orphan = randomUUID();
    withRawDatabase(h.dataDir, (db) => {
      db.prepare('DELETE FROM blocks WHERE id = ?').run(shown);
      db.prepare(
        'INSERT INTO blocks (id, connection, created_at, updated_at) VALUES (?, ?, 1, 1)',
      ).run(orphan, 'local');
    });
    await h.restart();
    const client = h.client();
    const reply = await load(client);
    expect(reply.workspace).toEqual(saved);
    expect(reply.blocks.map((block) => block.id)).toContain(shown);
    await expectShellRuns(client, shown);
    expect(await client.call('attachBlock', { blockId: orphan, cols: 80, rows: 24 })).toMatchObject(
      { ok: false, error: { code: 'not_found' } },
    );
  });

  it('turns a database from before tabs into one tab showing its oldest block', async () => {
    const h = (harness = await startHarness());
    const older = randomUUID();
    const newer = randomUUID();
    // As the version before tabs left it: blocks only, no tabs, no active tab, no sessions.
    withRawDatabase(h.dataDir, (db) => {
      db.exec('DELETE FROM tabs; DELETE FROM blocks; DELETE FROM settings; DELETE FROM sessions;');
      const insert = db.prepare(
        'INSERT INTO blocks (id, connection, created_at, updated_at) VALUES (?, ?, ?, ?)',
      );
      insert.run(newer, 'local', 2000, 2000);
      insert.run(older, 'local', 1000, 1000);
    });
    await h.restart();
    const client = h.client();
    const reply = await load(client);
    expect(reply.warnings).toEqual([]);
    expect(reply.workspace.tabs).toHaveLength(1);
    expect(reply.workspace.tabs[0]).toMatchObject({
      name: 'Tab 1',
      layout: { root: { kind: 'leaf', blockId: older }, focusedBlockId: older },
    });
    expect(reply.blocks).toEqual([
      { id: older, connection: 'local', createdAt: 1000, sessionId: expect.any(String) },
    ]);
    await expectShellRuns(client, older);
  });

  it('starts even when every tab row is damaged', async () => {
    const { h } = await startWithTabs();
    withRawDatabase(h.dataDir, (db) => db.exec(`UPDATE tabs SET layout = 'garbage', name = ''`));
    await h.restart();
    const client = h.client();
    const reply = await load(client);
    expect(reply.workspace.tabs.map((t) => t.name)).toEqual(['Tab 1', 'Tab 2', 'Tab 3']);
    expect(reply.warnings).toHaveLength(6);
    await expectShellRuns(client, reply.workspace.tabs[2]!.layout.focusedBlockId);
  });
});
