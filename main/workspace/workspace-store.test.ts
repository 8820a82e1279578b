/**
 * The workspace through the core's requests, against a real SQLite file and
 * real shells: loading, saving, refusing bad input, detaching removed blocks
 * from their sessions (which keep running), and keeping requests in arrival order.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent, SessionInfo, WorkspaceReply } from '../../preload/contract';
import { LAYOUT_LIMITS, leafIds, type LayoutNode, type Workspace } from '../../preload/layout';
import { startHarness, type Harness, type TestClient } from '../testing/core-harness';
import {
  createBlocks,
  isAlive,
  leaf,
  shellPid,
  split,
  storedSession,
  tab,
  workspaceOf,
} from '../testing/workspace-fixtures';

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

/** Three tabs with every feature a layout has: nested splits, sizes, focus, magnify. */
async function richWorkspace(client: TestClient): Promise<Workspace> {
  const [a, b, c, d, e, f, g] = await createBlocks(client, 7);
  return workspaceOf(
    [
      tab(
        'Build',
        split('row', [leaf(a!), split('column', [leaf(b!), leaf(c!)], [40, 60])], [25, 75]),
        {
          focusedBlockId: c!,
          magnifiedBlockId: b!,
        },
      ),
      tab('Logs', leaf(d!)),
      tab('Deploy', split('column', [leaf(e!), leaf(f!), leaf(g!)], [20, 30, 50]), {
        focusedBlockId: f!,
      }),
    ],
    1,
  );
}

const HOUR = 60 * 60 * 1000;

/** The latest session info a client was told about. */
function lastSession(client: TestClient, sessionId: string): SessionInfo | undefined {
  return client.events
    .filter((event) => event.name === 'sessionChanged')
    .map((event) => (event.payload as SessionEvent).session)
    .filter((session) => session.id === sessionId)
    .at(-1);
}

function blockIds(reply: WorkspaceReply): string[] {
  return reply.blocks.map((block) => block.id);
}

describe('loadWorkspace', () => {
  it('gives a fresh database one tab holding one local block', async () => {
    const { client } = await start();
    const reply = await load(client);
    expect(reply.warnings).toEqual([]);
    expect(reply.workspace.tabs).toHaveLength(1);
    const [only] = reply.workspace.tabs;
    expect(only!.name).toBe('Tab 1');
    expect(reply.workspace.activeTabId).toBe(only!.id);
    expect(only!.layout).toEqual({
      root: { kind: 'leaf', blockId: only!.layout.focusedBlockId },
      focusedBlockId: only!.layout.focusedBlockId,
      magnifiedBlockId: null,
    });
    expect(reply.blocks).toEqual([
      {
        id: only!.layout.focusedBlockId,
        connection: 'local',
        createdAt: expect.any(Number),
        sessionId: expect.any(String),
      },
    ]);
  });

  it('is idempotent: loading again, or after a restart, gives the same workspace', async () => {
    const { h, client } = await start();
    const first = await load(client);
    expect(await load(client)).toEqual(first);
    await h.restart();
    expect(await load(h.client())).toEqual(first);
  });
});

describe('saveWorkspace', () => {
  it('stores tabs, names, order, sizes, focus, magnify and the active tab', async () => {
    const { h, client } = await start();
    const workspace = await richWorkspace(client);
    expect(await save(client, workspace)).toEqual({ ok: true, value: undefined });

    const reply = await load(client);
    expect(reply.workspace).toEqual(workspace);
    expect(reply.warnings).toEqual([]);
    expect(blockIds(reply)).toEqual(workspace.tabs.flatMap((t) => leafIds(t.layout.root)));

    await h.restart();
    expect((await load(h.client())).workspace).toEqual(workspace);
  });

  it('keeps the latest of several saves, with tabs reordered and renamed', async () => {
    const { h, client } = await start();
    const workspace = await richWorkspace(client);
    await save(client, workspace);
    const [build, logs, deploy] = workspace.tabs;
    const reordered = {
      tabs: [deploy!, { ...build!, name: 'Compile' }, logs!],
      activeTabId: deploy!.id,
    };
    expect((await save(client, reordered)).ok).toBe(true);
    await h.restart();
    expect((await load(h.client())).workspace).toEqual(reordered);
  });

  it('deletes the blocks a save no longer shows; their sessions keep running, unattached', async () => {
    const { h, client } = await start();
    const [kept, closed] = await createBlocks(client, 2);
    await save(
      client,
      workspaceOf([tab('Pair', split('row', [leaf(kept!), leaf(closed!)], [50, 50]))]),
    );
    const keptShell = await client.request('attachBlock', { blockId: kept!, cols: 80, rows: 24 });
    const closedShell = await client.request('attachBlock', {
      blockId: closed!,
      cols: 80,
      rows: 24,
    });
    const closedPid = shellPid(h.dataDir, closedShell.zone);
    expect(isAlive(closedPid)).toBe(true);
    expect(storedSession(h.dataDir, closedShell.zone)?.idle_deadline).toBeNull();

    const savedAt = Date.now();
    expect((await save(client, workspaceOf([tab('Single', leaf(kept!))]))).ok).toBe(true);

    // The session hears of the closed block after the save (in its own queue).
    await client.until(
      () => lastSession(client, closedShell.zone)?.attachedBlocks.length === 0,
      'the closed block to be detached',
    );
    expect(blockIds(await load(client))).toEqual([kept]);
    expect(await client.request('sessionInfo', { sessionId: closedShell.zone })).toMatchObject({
      status: 'running',
      attachedBlocks: [],
    });
    // Nobody shows it now: an anonymous session may idle for an hour before it is reaped.
    const deadline = storedSession(h.dataDir, closedShell.zone)?.idle_deadline;
    expect(deadline).toBeGreaterThanOrEqual(savedAt + HOUR);
    expect(deadline).toBeLessThanOrEqual(Date.now() + HOUR);
    expect(
      await client.call('attachBlock', { blockId: closed!, cols: 80, rows: 24 }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(
      await client.call('writeZone', { zone: closedShell.zone, blockId: closed!, data: 'x' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });

    // The shell was never ended: a new block can show the same session and use it.
    expect(isAlive(closedPid)).toBe(true);
    const reopened = await client.request('createBlock', {
      connection: 'local',
      sessionId: closedShell.zone,
    });
    const again = await client.request('attachBlock', {
      blockId: reopened.id,
      cols: 80,
      rows: 24,
    });
    expect(again.zone).toBe(closedShell.zone);
    await client.request('writeZone', {
      zone: again.zone,
      blockId: reopened.id,
      data: 'echo reopened-$((3+3))\r',
    });
    await client.untilText(again.zone, /reopened-6/);
    expect(shellPid(h.dataDir, again.zone)).toBe(closedPid);
    // The shell that stays still works.
    await client.request('writeZone', {
      zone: keptShell.zone,
      blockId: kept!,
      data: 'echo kept-$((2+3))\r',
    });
    await client.untilText(keptShell.zone, /kept-5/);
  });
});

describe('saveWorkspace refusing bad input', () => {
  function nested(depth: number, blocks: string[]): LayoutNode {
    let node: LayoutNode = leaf(blocks[0]!);
    for (let level = 0; level < depth; level++) {
      node = split('row', [node, leaf(blocks[level + 1]!)], [50, 50]);
    }
    return node;
  }

  it('refuses malformed workspaces with invalid_payload and changes nothing', async () => {
    const { client } = await start();
    const blocks = await createBlocks(client, LAYOUT_LIMITS.depth + 3);
    const [a, b] = blocks;
    const good = workspaceOf([tab('One', leaf(a!)), tab('Two', leaf(b!))]);
    expect((await save(client, good)).ok).toBe(true);
    const before = await load(client);

    const [one, two] = good.tabs;
    const cases: Record<string, unknown> = {
      'not an object': null,
      'no tabs': { tabs: [], activeTabId: one!.id },
      'duplicate tab ids': { ...good, tabs: [one, { ...two!, id: one!.id }] },
      'a block in two tabs': { ...good, tabs: [one, { ...two!, layout: one!.layout }] },
      'sizes not summing to 100': workspaceOf([
        tab('Sum', split('row', [leaf(a!), leaf(b!)], [50, 40])),
      ]),
      'an unknown focused block': workspaceOf([
        tab('Focus', leaf(a!), { focusedBlockId: randomUUID() }),
      ]),
      'an unknown active tab': { ...good, activeTabId: randomUUID() },
      'nesting too deep': workspaceOf([tab('Deep', nested(LAYOUT_LIMITS.depth + 2, blocks))]),
      'a 10 MB name': { ...good, tabs: [{ ...one!, name: 'n'.repeat(10 * 1024 * 1024) }, two] },
    };
    for (const [what, workspace] of Object.entries(cases)) {
      const result = await save(client, workspace);
      expect(result, what).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      if (!result.ok) {
        expect(result.error.message, what).toMatch(/^The workspace was not saved: /);
        expect(result.error.message.length, what).toBeLessThan(300);
      }
    }
    expect(await load(client)).toEqual(before);
    // The blocks the refused saves would have placed are still there to be placed.
    expect((await save(client, workspaceOf([tab('Three', leaf(blocks.at(-1)!))]))).ok).toBe(true);
  });

  it('refuses a missing workspace field', async () => {
    const { client } = await start();
    expect(await client.call('saveWorkspace', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });

  it('refuses with not_found a workspace showing a block never created, changing nothing', async () => {
    const { client } = await start();
    const before = await load(client);
    const [known] = before.workspace.tabs;
    const stranger = randomUUID();
    const result = await save(
      client,
      workspaceOf([{ ...known!, name: 'Renamed' }, tab('Stranger', leaf(stranger))]),
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'not_found',
        message: `The workspace was not saved: it shows block ${stranger}, which does not exist.`,
      },
    });
    expect(await load(client)).toEqual(before);
  });
});

describe('createBlock', () => {
  it('creates a local block, showing a new session, that a later save can place', async () => {
    const { client } = await start();
    const created = await client.request('createBlock', { connection: 'local' });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      connection: 'local',
      createdAt: expect.any(Number),
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const attached = await client.request('attachBlock', {
      blockId: created.id,
      cols: 80,
      rows: 24,
    });
    expect(attached.zone).toBe(created.sessionId);
    expect(attached.session).toMatchObject({ status: 'running', attachedBlocks: [created.id] });
  });

  it('forgets a block never placed by the next start', async () => {
    const { h, client } = await start();
    const [unplaced] = await createBlocks(client, 1);
    // Loading while the core runs keeps it: its save may still be on the way.
    await load(client);
    expect((await client.call('attachBlock', { blockId: unplaced!, cols: 80, rows: 24 })).ok).toBe(
      true,
    );
    await h.restart();
    expect(
      await h.client().call('attachBlock', { blockId: unplaced!, cols: 80, rows: 24 }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
