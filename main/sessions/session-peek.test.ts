/**
 * Peeks come with the list in one call: each row carries its session's last
 * lines, read from the real mirror of a real shell; a slow or missing mirror
 * costs its row the peek, never the list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../preload/contract';
import { SessionRig } from '../testing/session-rig';
import { peekSessions } from './session-peek';

let rig: SessionRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

const row = (id: string) => ({ id }) as SessionInfo;

describe('peekSessions', () => {
  it('returns each shell’s last lines with the list, most recently active first', async () => {
    const r = (rig = await SessionRig.start());
    const client = r.client();
    const { workspace } = await client.request('loadWorkspace', {});
    const blockId = workspace.tabs[0]!.layout.focusedBlockId;
    const { zone } = await client.request('attachBlock', { blockId, cols: 80, rows: 24 });
    const other = await client.request('createSession', { connection: 'local', name: 'quiet' });
    await client.request('writeZone', {
      zone,
      blockId,
      data: 'printf "alpha-%s\\n" 1 2 3 4\r',
    });
    await client.untilText(zone, /alpha-4/);
    await client.request('recordActivity', {
      sessionId: zone,
      blockId,
      kind: 'input',
      cols: 80,
      rows: 24,
    });

    // The last three non-empty lines: two outputs and the prompt after them (the mirror reads
    // the output a moment after the block does: asked until the prompt is there).
    const peek = () => client.request('peekSessions', { connection: 'local', lines: 3 });
    await expect
      .poll(async () => (await peek())[0]?.peek.slice(0, 2), { timeout: 10_000 })
      .toEqual(['alpha-3', 'alpha-4']);
    const peeked = await peek();
    expect(peeked.map((session) => session.id)).toEqual([zone, other.id]);
    const [busy] = peeked;
    expect(busy!.peek).toHaveLength(3);
    expect(busy).toMatchObject({ attachedBlocks: [blockId], status: 'running' });
    expect(peeked[1]).toMatchObject({ name: 'quiet', attachedBlocks: [] });
    // The quiet shell shows its prompt once it has printed one.
    await expect
      .poll(async () => (await client.request('peekSessions', { lines: 3 }))[1]!.peek)
      .toEqual([expect.stringMatching(/[$#] ?$/)]);
    expect(await client.request('peekSessions', { connection: 'elsewhere', lines: 3 })).toEqual([]);
  });

  it('gives a row the worker left out an empty peek, and every row one if the worker fails', async () => {
    const rows = [row('slow'), row('fine')];
    const answered = await peekSessions(rows, { tails: async () => ({ fine: ['ok'] }) }, 2, 50);
    expect(answered.map((session) => session.peek)).toEqual([[], ['ok']]);
    const failed = await peekSessions(
      rows,
      { tails: () => Promise.reject(new Error('worker gone')) },
      2,
      50,
    );
    expect(failed.map((session) => session.peek)).toEqual([[], []]);
    const silent = await peekSessions(rows, { tails: () => new Promise(() => undefined) }, 2, 10);
    expect(silent.map((session) => session.peek)).toEqual([[], []]);
  });
});
