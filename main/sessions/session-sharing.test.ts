/**
 * One session shown by many blocks in many windows (DESIGN.md §3): output is
 * fanned out to every window, input from any attached block reaches the one
 * shell, and a block that no longer shows the session (detached or switched,
 * from whichever window) stops following it everywhere.
 *
 * The last two guard a fixed bug: with the same block open in two windows (two
 * windows of one workspace), detaching or switching it in one window dropped
 * only that window's follower, so the other kept the old session's output and
 * could still type into the old shell through a block that no longer showed it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/core-harness';
import { expectConsistent } from '../testing/session-invariants';
import { SessionRig } from '../testing/session-rig';

let rig: SessionRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

/** Two windows showing the first block of the workspace, both following its session. */
async function twoWindows(): Promise<{
  r: SessionRig;
  one: TestClient;
  two: TestClient;
  blockId: string;
  zone: string;
}> {
  const r = (rig = await SessionRig.start());
  const one = r.client();
  const two = r.client();
  const { workspace } = await one.request('loadWorkspace', {});
  const blockId = workspace.tabs[0]!.layout.focusedBlockId;
  const { zone } = await one.request('attachBlock', { blockId, cols: 80, rows: 24 });
  expect((await two.request('attachBlock', { blockId, cols: 80, rows: 24 })).zone).toBe(zone);
  return { r, one, two, blockId, zone };
}

const type = (client: TestClient, zone: string, blockId: string, data: string) =>
  client.call('writeZone', { zone, blockId, data });

describe('a session shared by blocks and windows', () => {
  it('sends output to every window and takes input from any attached block', async () => {
    const { r, one, two, blockId, zone } = await twoWindows();
    const other = await one.request('createBlock', { connection: 'local', sessionId: zone });
    await two.request('attachBlock', { blockId: other.id, cols: 80, rows: 24 });

    expect((await type(one, zone, blockId, 'echo from-one-$((1+1))\r')).ok).toBe(true);
    await two.untilText(zone, /from-one-2/);
    expect((await type(two, zone, other.id, 'echo from-two-$((2+1))\r')).ok).toBe(true);
    await one.untilText(zone, /from-two-3/);
    expect(await one.request('sessionInfo', { sessionId: zone })).toMatchObject({
      attachedBlocks: expect.arrayContaining([blockId, other.id]),
    });
    await expectConsistent(r);
  });

  it('sizes the shell by the block used last, not by the block attached last', async () => {
    const { one, two, blockId, zone } = await twoWindows();
    const other = await one.request('createBlock', { connection: 'local', sessionId: zone });
    const info = () => one.request('sessionInfo', { sessionId: zone });
    // Attaching (a reload, a pane catching up) is not using the block: the size stays.
    await two.request('attachBlock', { blockId: other.id, cols: 100, rows: 30 });
    expect(await info()).toMatchObject({ cols: 80, rows: 24, sizedBy: blockId });

    const activity = { kind: 'input' as const, sessionId: zone };
    await two.request('recordActivity', { ...activity, blockId: other.id, cols: 100, rows: 30 });
    expect(await info()).toMatchObject({ cols: 100, rows: 30, sizedBy: other.id });
    // Typing is using the block too, so ask from the one that sizes the shell.
    await type(two, zone, other.id, 'echo "size $(tput cols)x$(tput lines)"\r');
    await one.untilText(zone, /size 100x30/);

    await one.request('recordActivity', { ...activity, blockId, cols: 90, rows: 20 });
    expect(await info()).toMatchObject({ cols: 90, rows: 20, sizedBy: blockId });
  });

  it('stops following a block detached in another window', async () => {
    const { r, one, two, blockId, zone } = await twoWindows();
    await one.request('detachBlock', { blockId });

    expect(await type(two, zone, blockId, 'echo typed-after-detach\r')).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await expectConsistent(r);
  });

  it('stops following the old session of a block switched in another window', async () => {
    const { r, one, two, blockId, zone } = await twoWindows();
    const other = await one.request('createSession', { connection: 'local' });
    await one.request('attachSession', { blockId, sessionId: other.id, cols: 80, rows: 24 });

    expect(await type(two, zone, blockId, 'echo typed-into-the-old-one\r')).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await expectConsistent(r);
  });
});
