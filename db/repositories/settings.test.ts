import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../open-database';
import type { OpenedDatabase } from '../open-database';
import { getSetting, setSetting } from './settings';

let directory: string;
let database: OpenedDatabase;

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-db-'));
  database = await openDatabase(path.join(directory, 'tether.db'));
});

afterEach(async () => {
  vi.useRealTimers();
  await database.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function storedRow(key: string) {
  return database.db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
}

describe('getSetting', () => {
  it('returns undefined for a key never set', async () => {
    expect(await getSetting(database.db, 'missing')).toBeUndefined();
  });

  it('returns undefined for a row whose value is not valid JSON', async () => {
    await database.db
      .insertInto('settings')
      .values({ key: 'broken', value: '{not json', updatedAt: 1 })
      .execute();
    expect(await getSetting(database.db, 'broken')).toBeUndefined();
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
    for (const [key, value] of Object.entries(values)) await setSetting(database.db, key, value);
    for (const [key, value] of Object.entries(values)) {
      expect(await getSetting(database.db, key)).toEqual(value);
    }
  });

  it('stores the value as JSON text with its update time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    await setSetting(database.db, 'theme', { name: 'dark' });
    expect(await storedRow('theme')).toEqual({
      key: 'theme',
      value: '{"name":"dark"}',
      updatedAt: 1_700_000_000_000,
    });
  });

  it('overwrites an existing value and its update time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000);
    await setSetting(database.db, 'fontSize', 12);
    vi.setSystemTime(2_000);
    await setSetting(database.db, 'fontSize', 16);

    expect(await getSetting<number>(database.db, 'fontSize')).toBe(16);
    expect((await storedRow('fontSize'))?.updatedAt).toBe(2_000);
    expect(await database.db.selectFrom('settings').selectAll().execute()).toHaveLength(1);
  });

  it('refuses a value with no JSON form instead of storing something else', async () => {
    await expect(setSetting(database.db, 'nothing', undefined)).rejects.toThrow(/"nothing"/);
    await expect(setSetting(database.db, 'callback', () => 1)).rejects.toThrow(TypeError);
    expect(await storedRow('nothing')).toBeUndefined();
    expect(await storedRow('callback')).toBeUndefined();
  });

  it('works inside a transaction and rolls back with it', async () => {
    await setSetting(database.db, 'theme', 'light');
    await expect(
      database.db.transaction().execute(async (transaction) => {
        await setSetting(transaction, 'theme', 'dark');
        expect(await getSetting(transaction, 'theme')).toBe('dark');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await getSetting(database.db, 'theme')).toBe('light');
  });
});
