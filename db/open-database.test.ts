import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrateTo } from './migrate';
import { openDatabase } from './open-database';
import type { OpenedDatabase } from './open-database';

let directory: string;
const opened: OpenedDatabase[] = [];

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-db-'));
});

afterEach(async () => {
  for (const database of opened.splice(0)) await database.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

async function open(file: string, log?: (message: string) => void): Promise<OpenedDatabase> {
  const database = await openDatabase(file, log ? { log } : undefined);
  opened.push(database);
  return database;
}

// Reads a file Tether moved aside without going through openDatabase.
function readRaw<T>(file: string, query: string): T[] {
  const sqlite = new SqliteDatabase(file, { readonly: true });
  try {
    return sqlite.prepare(query).all() as T[];
  } finally {
    sqlite.close();
  }
}

function tableNames(database: OpenedDatabase): Promise<string[]> {
  return database.db.introspection.getTables().then((tables) => tables.map((t) => t.name).sort());
}

// The blocks table as the first migration left it, in its own snake_case terms.
interface FirstMigrationTables {
  blocks: { id: string; connection: string; created_at: number; updated_at: number };
}

const stampPattern = /\.corrupt-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

describe('openDatabase on a fresh file', () => {
  it('creates missing directories, turns on WAL and creates every table', async () => {
    const file = path.join(directory, 'nested', 'deeper', 'tether.db');
    const database = await open(file);

    expect(database.file).toBe(file);
    expect(database.movedAside).toBeNull();
    expect(fs.existsSync(file)).toBe(true);
    expect(await tableNames(database)).toEqual(['blocks', 'sessions', 'settings', 'tabs']);

    const sqlite = new SqliteDatabase(file);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    sqlite.close();
  });

  it('sets the per-connection pragmas', async () => {
    const database = await open(path.join(directory, 'tether.db'));
    const pragma = async (name: string) => {
      // Through Kysely, so it reads the connection the app will actually use.
      const result = await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(database.db);
      return Object.values(result.rows[0] ?? {})[0];
    };
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
    // NORMAL is 1.
    expect(await pragma('synchronous')).toBe(1);
  });

  it('round-trips data with camelCase in TypeScript and snake_case on disk', async () => {
    const file = path.join(directory, 'tether.db');
    const database = await open(file);
    await database.db
      .insertInto('blocks')
      .values({ id: 'block-1', createdAt: 10, updatedAt: 20, sessionId: 'session-1' })
      .execute();
    await database.db
      .insertInto('settings')
      .values({ key: 'theme', value: '"dark"', updatedAt: 30 })
      .execute();

    expect(await database.db.selectFrom('blocks').selectAll().execute()).toEqual([
      { id: 'block-1', connection: 'local', createdAt: 10, updatedAt: 20, sessionId: 'session-1' },
    ]);
    expect(await database.db.selectFrom('settings').selectAll().execute()).toEqual([
      { key: 'theme', value: '"dark"', updatedAt: 30 },
    ]);

    await database.close();
    expect(readRaw(file, 'SELECT id, created_at, updated_at, session_id FROM blocks')).toEqual([
      { id: 'block-1', created_at: 10, updated_at: 20, session_id: 'session-1' },
    ]);
  });
});

describe('openDatabase on an existing file', () => {
  it('keeps data across two reopenings', async () => {
    const file = path.join(directory, 'tether.db');
    const first = await open(file);
    await first.db
      .insertInto('blocks')
      .values({ id: '0b1d0000-0000-4000-8000-000000000002', createdAt: 1, updatedAt: 1 })
      .execute();
    await first.close();

    for (let round = 0; round < 2; round++) {
      const again = await open(file);
      expect(again.movedAside).toBeNull();
      expect(await again.db.selectFrom('blocks').select('id').execute()).toEqual([
        { id: '0b1d0000-0000-4000-8000-000000000002' },
      ]);
      await again.close();
    }
    expect(fs.readdirSync(directory).filter((name) => name.includes('corrupt'))).toEqual([]);
  });

  it('migrates a file left at the first migration and keeps its rows', async () => {
    const file = path.join(directory, 'tether.db');
    const old = new Kysely<FirstMigrationTables>({
      dialect: new SqliteDialect({ database: new SqliteDatabase(file) }),
    });
    await migrateTo(old, '2026-11-20-1-blocks');
    await old
      .insertInto('blocks')
      .values({
        id: '0b1d0000-0000-4000-8000-000000000001',
        connection: 'ssh:box',
        created_at: 5,
        updated_at: 6,
      })
      .execute();
    expect((await old.introspection.getTables()).map((t) => t.name)).not.toContain('settings');
    await old.destroy();

    const database = await open(file);
    expect(database.movedAside).toBeNull();
    expect(await tableNames(database)).toEqual(['blocks', 'sessions', 'settings', 'tabs']);
    expect(await database.db.selectFrom('blocks').selectAll().execute()).toEqual([
      {
        id: '0b1d0000-0000-4000-8000-000000000001',
        connection: 'ssh:box',
        createdAt: 5,
        updatedAt: 6,
        sessionId: null,
      },
    ]);
    const applied = await database.db
      .withoutPlugins()
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    expect(applied.map((row) => (row as { name: string }).name)).toEqual([
      '2026-11-20-1-blocks',
      '2026-11-20-2-settings',
      '2026-11-21-1-tabs',
      '2026-11-21-2-sessions',
    ]);
  });
});

describe('openDatabase on an unusable file', () => {
  it('moves a non-database file aside byte for byte and starts fresh', async () => {
    const file = path.join(directory, 'tether.db');
    const garbage = Buffer.from('this is not a database, just some words '.repeat(200));
    fs.writeFileSync(file, garbage);
    const walBytes = Buffer.from('stray write-ahead log');
    fs.writeFileSync(`${file}-wal`, walBytes);
    const messages: string[] = [];

    const database = await open(file, (message) => messages.push(message));

    expect(database.movedAside).not.toBeNull();
    const moved = database.movedAside!;
    expect(moved.reason).toBe('not a SQLite database');
    expect(moved.path.startsWith(`${file}.corrupt-`)).toBe(true);
    expect(moved.path).toMatch(stampPattern);
    expect(fs.readFileSync(moved.path).equals(garbage)).toBe(true);
    expect(fs.readFileSync(`${moved.path}-wal`).equals(walBytes)).toBe(true);
    expect(messages.some((message) => message.includes(moved.path))).toBe(true);

    await database.db
      .insertInto('blocks')
      .values({ id: 'new', createdAt: 1, updatedAt: 1 })
      .execute();
    expect(await database.db.selectFrom('blocks').select('id').execute()).toEqual([{ id: 'new' }]);
    expect(await tableNames(database)).toEqual(['blocks', 'sessions', 'settings', 'tabs']);
  });

  it('moves a file that fails the integrity check aside', async () => {
    const file = path.join(directory, 'tether.db');
    const setup = await open(file);
    for (let start = 0; start < 2000; start += 500) {
      const rows = Array.from({ length: 500 }, (_, offset) => ({
        id: `block-${start + offset}-${'x'.repeat(40)}`,
        createdAt: start + offset,
        updatedAt: start + offset,
      }));
      await setup.db.insertInto('blocks').values(rows).execute();
    }
    await setup.close();

    // Scribble over the cells of the primary-key index's root page, keeping its page header.
    const sqlite = new SqliteDatabase(file, { readonly: true });
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    const { rootpage } = sqlite
      .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_blocks_1'")
      .get() as { rootpage: number };
    sqlite.close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, pageSize * (rootpage - 1) + 200, pageSize * rootpage - 10);
    fs.writeFileSync(file, bytes);

    const database = await open(file);

    expect(database.movedAside?.reason).toMatch(/^integrity check failed: /);
    expect(fs.readFileSync(database.movedAside!.path).equals(bytes)).toBe(true);
    expect(await database.db.selectFrom('blocks').selectAll().execute()).toEqual([]);
  });

  it('moves aside a file whose index disagrees with its table, which quick_check passes', async () => {
    const file = path.join(directory, 'tether.db');
    const setup = await open(file);
    const session = (n: number, name: string) => ({
      id: `5e550000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      name,
      connection: 'local',
      backend: 'pty' as const,
      status: 'done' as const,
      cols: 80,
      rows: 24,
      createdAt: n,
      lastActiveAt: n,
    });
    await setup.db
      .insertInto('sessions')
      .values([session(1, 'work-a'), session(2, 'work-m'), session(3, 'work-z')])
      .execute();
    await setup.close();
    // One byte of the names index changed, as damage to one page would: "work-m" reads
    // "work-n" there (still in order) while the row still says "work-m".
    const sqlite = new SqliteDatabase(file, { readonly: true });
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    const { rootpage } = sqlite
      .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sessions_connection_name_unique'")
      .get() as { rootpage: number };
    sqlite.close();
    const bytes = fs.readFileSync(file);
    const page = bytes.subarray(pageSize * (rootpage - 1), pageSize * rootpage);
    const at = page.indexOf('work-m');
    expect(at).toBeGreaterThan(0);
    page[at + 5] = 'n'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    expect(readRaw<{ quick_check: string }>(file, 'PRAGMA quick_check')).toEqual([
      { quick_check: 'ok' },
    ]);

    const database = await open(file);
    expect(database.movedAside?.reason).toMatch(/^integrity check failed: /);
    expect(await database.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });

  it('moves aside a file whose tables are not what the migrations made', async () => {
    const file = path.join(directory, 'tether.db');
    (await open(file)).close();
    const raw = new SqliteDatabase(file);
    raw.exec('DROP TABLE sessions');
    raw.close();

    const database = await open(file);
    expect(database.movedAside?.reason).toBe(
      'its tables are not what Tether made: its table sessions is missing',
    );
    // The file moved aside is the one without the table; the fresh one has them all.
    expect(
      readRaw<{ name: string }>(
        database.movedAside!.path,
        "SELECT name FROM sqlite_master WHERE name = 'sessions'",
      ),
    ).toEqual([]);
    expect(await tableNames(database)).toEqual(['blocks', 'sessions', 'settings', 'tabs']);
  });

  it.each([
    [`UPDATE sessions SET status = 'LM)\u00ffL'`, 'session row 1 has an unknown status'],
    [`UPDATE sessions SET id = 'not-an-id'`, 'session row 1 has no valid id'],
    [
      `UPDATE sessions SET backend_ref = '{broken'`,
      'session row 1 has an unreadable shell reference',
    ],
    [`UPDATE blocks SET session_id = x'00ff'`, 'block row 1 points at no valid session id'],
  ])('moves aside a file holding a row Tether did not write (%s)', async (damage, reason) => {
    const file = path.join(directory, 'tether.db');
    const setup = await open(file);
    const id = '5e550000-0000-4000-8000-000000000001';
    await setup.db
      .insertInto('sessions')
      .values({
        id,
        name: null,
        connection: 'local',
        backend: 'pty',
        status: 'running',
        backendRef: '{"pid":1,"startedAt":0}',
        cols: 80,
        rows: 24,
        createdAt: 1,
        lastActiveAt: 1,
      })
      .execute();
    await setup.db
      .insertInto('blocks')
      .values({
        id: '0b1d0000-0000-4000-8000-000000000009',
        createdAt: 1,
        updatedAt: 1,
        sessionId: id,
      })
      .execute();
    await setup.close();
    const raw = new SqliteDatabase(file);
    raw.exec(damage);
    raw.close();

    const database = await open(file);
    expect(database.movedAside?.reason).toBe(`it holds data Tether did not write: ${reason}`);
  });

  it('moves aside a database made by a newer Tether, with its data intact', async () => {
    const file = path.join(directory, 'tether.db');
    const setup = await open(file);
    await setup.db
      .insertInto('blocks')
      .values({ id: 'mine', createdAt: 1, updatedAt: 1 })
      .execute();
    await setup.close();
    const sqlite = new SqliteDatabase(file);
    sqlite
      .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
      .run('2099-01-01-1-from-the-future', new Date().toISOString());
    sqlite.close();

    const database = await open(file);

    expect(database.movedAside?.reason).toBe('created by a newer version of Tether');
    const movedPath = database.movedAside!.path;
    expect(movedPath).toMatch(stampPattern);
    expect(readRaw(movedPath, 'SELECT id FROM blocks')).toEqual([{ id: 'mine' }]);
    expect(
      readRaw<{ name: string }>(movedPath, 'SELECT name FROM kysely_migration'),
    ).toContainEqual({ name: '2099-01-01-1-from-the-future' });
    expect(await database.db.selectFrom('blocks').selectAll().execute()).toEqual([]);
  });

  it('keeps the write-ahead log of a newer database it moves aside', async () => {
    // Copy the files while a writer still holds them, as if that Tether had crashed.
    const source = path.join(directory, 'source.db');
    const setup = await open(source);
    await setup.close();
    const writer = new SqliteDatabase(source);
    writer.pragma('wal_autocheckpoint = 0');
    writer
      .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
      .run('2099-01-01-1-from-the-future', new Date().toISOString());
    writer.prepare("INSERT INTO blocks (id, created_at, updated_at) VALUES ('in-wal', 1, 1)").run();
    const file = path.join(directory, 'tether.db');
    fs.copyFileSync(source, file);
    fs.copyFileSync(`${source}-wal`, `${file}-wal`);
    writer.close();
    const walBytes = fs.readFileSync(`${file}-wal`);
    expect(walBytes.length).toBeGreaterThan(0);

    const database = await open(file);

    const movedPath = database.movedAside!.path;
    expect(database.movedAside!.reason).toBe('created by a newer version of Tether');
    expect(fs.readFileSync(`${movedPath}-wal`).equals(walBytes)).toBe(true);
    expect(readRaw(movedPath, 'SELECT id FROM blocks')).toEqual([{ id: 'in-wal' }]);
  });

  it('never overwrites an earlier moved-aside file from the same millisecond', async () => {
    const file = path.join(directory, 'tether.db');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-20T23:40:01.123Z'));
    const movedPaths: string[] = [];
    try {
      for (const content of ['first garbage', 'second garbage']) {
        fs.writeFileSync(file, content.repeat(100));
        const database = await open(file);
        movedPaths.push(database.movedAside!.path);
        await database.close();
        fs.rmSync(file);
      }
    } finally {
      vi.useRealTimers();
    }
    expect(movedPaths).toEqual([
      `${file}.corrupt-2026-11-20T23-40-01-123Z`,
      `${file}.corrupt-2026-11-20T23-40-01-123Z-2`,
    ]);
    expect(fs.readFileSync(movedPaths[0]!, 'utf8')).toBe('first garbage'.repeat(100));
    expect(fs.readFileSync(movedPaths[1]!, 'utf8')).toBe('second garbage'.repeat(100));
  });
});

describe('openDatabase errors it does not recover from', () => {
  it('throws, naming the file, when the directory cannot be created', async () => {
    const blocker = path.join(directory, 'not-a-directory');
    fs.writeFileSync(blocker, 'a file where a directory should be');
    const file = path.join(blocker, 'tether.db');

    await expect(openDatabase(file)).rejects.toThrow(`Could not open database ${file}`);
    expect(fs.readFileSync(blocker, 'utf8')).toBe('a file where a directory should be');
  });

  it('throws rather than moving aside when the path is a directory', async () => {
    const file = path.join(directory, 'tether.db');
    fs.mkdirSync(file);

    await expect(openDatabase(file)).rejects.toThrow(`Could not open database ${file}`);
    expect(fs.statSync(file).isDirectory()).toBe(true);
    expect(fs.readdirSync(directory)).toEqual(['tether.db']);
  });
});
