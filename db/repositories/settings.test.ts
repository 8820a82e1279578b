import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTempDatabase } from '../testing/temp-database';
import { getSetting, setSetting } from './settings';

const database = useTempDatabase();

afterEach(() => {
  vi.useRealTimers();
});

function storedRow(key: string) {
  return database().selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
}

describe('getSetting', () => {
  it('returns undefined for a key never set', async () => {
    expect(await getSetting(database(), 'missing')).toBeUndefined();
  });

  it('returns undefined for a row whose value is not valid JSON', async () => {
    await database()
      .insertInto('settings')
      .values({ key: 'broken', value: '{not json', updatedAt: 1 })
      .execute();
    expect(await getSetting(database(), 'broken')).toBeUndefined();
  });
});

describe('setSetting', () => {
  it('round-trips JSON values of every shape', async () => {
    const values: Record<string, unknown> = {
      string: 'dark',
      number: 14.5,
      boolean: false,
      null: null,
      array: [1, 'two', { three: 3 }],
      object: { fontFamily: 'JetBrains Mono', sizes: [12, 14] },
    };
    for (const [key, value] of Object.entries(values)) await setSetting(database(), key, value);
    for (const [key, value] of Object.entries(values)) {
      expect(await getSetting(database(), key)).toEqual(value);
    }
  });

  it('stores the value as JSON text with its update time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    await setSetting(database(), 'theme', { name: 'dark' });
    expect(await storedRow('theme')).toEqual({
      key: 'theme',
      value: '{"name":"dark"}',
      updatedAt: 1_700_000_000_000,
    });
  });

  it('overwrites an existing value and its update time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000);
    await setSetting(database(), 'fontSize', 12);
    vi.setSystemTime(2_000);
    await setSetting(database(), 'fontSize', 16);

    expect(await getSetting<number>(database(), 'fontSize')).toBe(16);
    expect((await storedRow('fontSize'))?.updatedAt).toBe(2_000);
    expect(await database().selectFrom('settings').selectAll().execute()).toHaveLength(1);
  });

  it('refuses a value with no JSON form instead of storing something else', async () => {
    await expect(setSetting(database(), 'nothing', undefined)).rejects.toThrow(/"nothing"/);
    await expect(setSetting(database(), 'callback', () => 1)).rejects.toThrow(TypeError);
    expect(await storedRow('nothing')).toBeUndefined();
    expect(await storedRow('callback')).toBeUndefined();
  });

  it('works inside a transaction and rolls back with it', async () => {
    await setSetting(database(), 'theme', 'light');
    await expect(
      database()
        .transaction()
        .execute(async (transaction) => {
          await setSetting(transaction, 'theme', 'dark');
          expect(await getSetting(transaction, 'theme')).toBe('dark');
          throw new Error('abort');
        }),
    ).rejects.toThrow('abort');
    expect(await getSetting(database(), 'theme')).toBe('light');
  });
});
