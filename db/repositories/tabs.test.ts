import { describe, expect, it } from 'vitest';
import type { NewTab } from '../schema';
import { useTempDatabase } from '../testing/temp-database';
import { getSetting } from './settings';
import { ACTIVE_TAB_KEY, getActiveTabId, listTabs, replaceTabs, setActiveTabId } from './tabs';

const database = useTempDatabase();

function tab(id: string, position: number, at = 1): NewTab {
  return {
    id,
    position,
    name: `Tab ${id}`,
    layout: `{"id":"${id}"}`,
    layoutVersion: 1,
    createdAt: at,
    updatedAt: at,
  };
}

describe('listTabs', () => {
  it('is empty for a fresh database', async () => {
    expect(await listTabs(database())).toEqual([]);
  });

  it('orders by position, then id', async () => {
    await database()
      .insertInto('tabs')
      .values([tab('c', 2), tab('b', 0), tab('a', 1), tab('tie', 1)])
      .execute();
    expect((await listTabs(database())).map((row) => row.id)).toEqual(['b', 'a', 'tie', 'c']);
  });
});

describe('replaceTabs', () => {
  it('stores exactly the given rows, camelCase in and out', async () => {
    await replaceTabs(database(), [tab('one', 0), tab('two', 1)]);
    expect(await listTabs(database())).toEqual([tab('one', 0), tab('two', 1)]);
  });

  it('drops rows not given, rewrites kept ones and keeps their creation time', async () => {
    await replaceTabs(database(), [tab('kept', 0, 10), tab('dropped', 1, 10)]);
    await replaceTabs(database(), [
      { ...tab('new', 0, 20) },
      { ...tab('kept', 1, 20), name: 'Renamed', layout: '{}', layoutVersion: 2 },
    ]);
    expect(await listTabs(database())).toEqual([
      tab('new', 0, 20),
      {
        id: 'kept',
        position: 1,
        name: 'Renamed',
        layout: '{}',
        layoutVersion: 2,
        createdAt: 10,
        updatedAt: 20,
      },
    ]);
  });

  it('empties the table when given nothing', async () => {
    await replaceTabs(database(), [tab('a', 0)]);
    await replaceTabs(database(), []);
    expect(await listTabs(database())).toEqual([]);
  });

  it('rolls back with its transaction', async () => {
    await replaceTabs(database(), [tab('before', 0)]);
    await expect(
      database()
        .transaction()
        .execute(async (transaction) => {
          await replaceTabs(transaction, [tab('after', 0)]);
          throw new Error('abort');
        }),
    ).rejects.toThrow('abort');
    expect((await listTabs(database())).map((row) => row.id)).toEqual(['before']);
  });
});

describe('active tab', () => {
  it('is undefined until set, then round-trips through the settings table', async () => {
    expect(await getActiveTabId(database())).toBeUndefined();
    await setActiveTabId(database(), 'tab-1');
    expect(await getActiveTabId(database())).toBe('tab-1');
    expect(await getSetting(database(), ACTIVE_TAB_KEY)).toBe('tab-1');
  });

  it('hands back whatever is stored, unchecked', async () => {
    await database()
      .insertInto('settings')
      .values({ key: ACTIVE_TAB_KEY, value: '42', updatedAt: 1 })
      .execute();
    expect(await getActiveTabId(database())).toBe(42);
  });
});
