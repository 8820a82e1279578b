import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../testing/temp-database';
import {
  deleteBlock,
  deleteBlocks,
  detachBlocksFromSession,
  getBlock,
  insertBlock,
  listBlocks,
  listBlocksBySession,
  setBlockSession,
} from './blocks';

const database = useTempDatabase();

describe('insertBlock', () => {
  it('returns the stored row, filling in the default connection and no session', async () => {
    const row = await insertBlock(database(), { id: 'a', createdAt: 100, updatedAt: 200 });
    expect(row).toEqual({
      id: 'a',
      connection: 'local',
      createdAt: 100,
      updatedAt: 200,
      sessionId: null,
    });
  });

  it('keeps a session id it is given', async () => {
    const row = await insertBlock(database(), {
      id: 'a',
      createdAt: 1,
      updatedAt: 1,
      sessionId: 's',
    });
    expect(row.sessionId).toBe('s');
    expect((await listBlocks(database()))[0]?.sessionId).toBe('s');
  });

  it('keeps an explicit connection', async () => {
    const row = await insertBlock(database(), {
      id: 'b',
      connection: 'ssh:devbox',
      createdAt: 1,
      updatedAt: 1,
    });
    expect(row.connection).toBe('ssh:devbox');
    expect((await getBlock(database(), 'b'))?.connection).toBe('ssh:devbox');
  });

  it('rejects a duplicate id', async () => {
    await insertBlock(database(), { id: 'same', createdAt: 1, updatedAt: 1 });
    await expect(
      insertBlock(database(), { id: 'same', createdAt: 2, updatedAt: 2 }),
    ).rejects.toThrow(/UNIQUE/);
    expect((await getBlock(database(), 'same'))?.createdAt).toBe(1);
  });
});

describe('listBlocks', () => {
  it('is empty for a fresh database', async () => {
    expect(await listBlocks(database())).toEqual([]);
  });

  it('orders by creation time, then id', async () => {
    await insertBlock(database(), { id: 'late', createdAt: 30, updatedAt: 30 });
    await insertBlock(database(), { id: 'tie-b', createdAt: 20, updatedAt: 20 });
    await insertBlock(database(), { id: 'tie-a', createdAt: 20, updatedAt: 25 });
    await insertBlock(database(), { id: 'early', createdAt: 10, updatedAt: 10 });

    const ids = (await listBlocks(database())).map((block) => block.id);
    expect(ids).toEqual(['early', 'tie-a', 'tie-b', 'late']);
  });
});

describe('getBlock', () => {
  it('returns undefined for an unknown id', async () => {
    expect(await getBlock(database(), 'missing')).toBeUndefined();
  });
});

describe('deleteBlock', () => {
  it('removes the block and reports whether it existed', async () => {
    await insertBlock(database(), { id: 'gone', createdAt: 1, updatedAt: 1 });
    await insertBlock(database(), { id: 'stays', createdAt: 2, updatedAt: 2 });

    expect(await deleteBlock(database(), 'gone')).toBe(true);
    expect(await deleteBlock(database(), 'gone')).toBe(false);
    expect(await getBlock(database(), 'gone')).toBeUndefined();
    expect((await listBlocks(database())).map((block) => block.id)).toEqual(['stays']);
  });
});

describe('inside a transaction', () => {
  it('rolls back every call when the transaction fails', async () => {
    await insertBlock(database(), { id: 'kept', createdAt: 1, updatedAt: 1 });
    await expect(
      database()
        .transaction()
        .execute(async (transaction) => {
          await insertBlock(transaction, { id: 'discarded', createdAt: 2, updatedAt: 2 });
          await deleteBlock(transaction, 'kept');
          expect((await listBlocks(transaction)).map((block) => block.id)).toEqual(['discarded']);
          throw new Error('abort');
        }),
    ).rejects.toThrow('abort');

    expect((await listBlocks(database())).map((block) => block.id)).toEqual(['kept']);
  });
});

describe('deleteBlocks', () => {
  it('removes every named block that exists and counts them', async () => {
    for (const id of ['a', 'b', 'c']) {
      await insertBlock(database(), { id, createdAt: 1, updatedAt: 1 });
    }
    expect(await deleteBlocks(database(), ['a', 'c', 'never'])).toBe(2);
    expect((await listBlocks(database())).map((block) => block.id)).toEqual(['b']);
  });

  it('does nothing for an empty list', async () => {
    await insertBlock(database(), { id: 'kept', createdAt: 1, updatedAt: 1 });
    expect(await deleteBlocks(database(), [])).toBe(0);
    expect(await listBlocks(database())).toHaveLength(1);
  });

  it('deletes more blocks than fit in one statement', async () => {
    const ids = Array.from({ length: 1200 }, (_, index) => `block-${index}`);
    await database()
      .insertInto('blocks')
      .values(ids.map((id) => ({ id, createdAt: 1, updatedAt: 1 })))
      .execute();
    expect(await deleteBlocks(database(), ids.slice(1))).toBe(1199);
    expect((await listBlocks(database())).map((block) => block.id)).toEqual(['block-0']);
  });
});

describe('setBlockSession', () => {
  it('attaches a block to a session and detaches it with null', async () => {
    await insertBlock(database(), { id: 'a', createdAt: 1, updatedAt: 1 });

    expect(await setBlockSession(database(), 'a', 's')).toBe(true);
    expect((await getBlock(database(), 'a'))?.sessionId).toBe('s');
    expect(await setBlockSession(database(), 'a', null)).toBe(true);
    expect((await getBlock(database(), 'a'))?.sessionId).toBeNull();
  });

  it('reports false for an unknown block', async () => {
    expect(await setBlockSession(database(), 'missing', 's')).toBe(false);
  });

  it('accepts an id that names no session, for the consistency checker to find', async () => {
    await insertBlock(database(), { id: 'a', createdAt: 1, updatedAt: 1 });
    expect(await setBlockSession(database(), 'a', 'no-such-session')).toBe(true);
    expect((await getBlock(database(), 'a'))?.sessionId).toBe('no-such-session');
  });
});

describe('listBlocksBySession', () => {
  it('lists the blocks showing one session, oldest first', async () => {
    await insertBlock(database(), { id: 'late', createdAt: 3, updatedAt: 3, sessionId: 's' });
    await insertBlock(database(), { id: 'early', createdAt: 1, updatedAt: 1, sessionId: 's' });
    await insertBlock(database(), { id: 'other', createdAt: 2, updatedAt: 2, sessionId: 't' });
    await insertBlock(database(), { id: 'none', createdAt: 2, updatedAt: 2 });

    const ids = (await listBlocksBySession(database(), 's')).map((block) => block.id);
    expect(ids).toEqual(['early', 'late']);
    expect(await listBlocksBySession(database(), 'missing')).toEqual([]);
  });
});

describe('detachBlocksFromSession', () => {
  it('detaches every block showing the session and counts them', async () => {
    await insertBlock(database(), { id: 'a', createdAt: 1, updatedAt: 1, sessionId: 's' });
    await insertBlock(database(), { id: 'b', createdAt: 1, updatedAt: 1, sessionId: 's' });
    await insertBlock(database(), { id: 'c', createdAt: 1, updatedAt: 1, sessionId: 't' });

    expect(await detachBlocksFromSession(database(), 's')).toBe(2);
    expect(await detachBlocksFromSession(database(), 's')).toBe(0);
    const rows = await listBlocks(database());
    expect(rows.map((block) => [block.id, block.sessionId])).toEqual([
      ['a', null],
      ['b', null],
      ['c', 't'],
    ]);
  });
});
