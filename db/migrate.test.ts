import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  findUnknownMigrations,
  migrateTo,
  migrateToLatest,
  migrationNames,
  UnknownMigrationError,
} from './migrate';

let directory: string;
let db: Kysely<unknown>;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-db-'));
  const sqlite = new SqliteDatabase(path.join(directory, 'tether.db'));
  db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
});

afterEach(async () => {
  await db.destroy();
  fs.rmSync(directory, { recursive: true, force: true });
});

async function tables(): Promise<string[]> {
  return (await db.introspection.getTables()).map((table) => table.name).sort();
}

async function columns(table: string): Promise<string[]> {
  const found = (await db.introspection.getTables()).find((candidate) => candidate.name === table);
  return found?.columns.map((column) => column.name) ?? [];
}

// Indexes Tether made, leaving out SQLite's own (sqlite_autoindex_*).
async function indexes(): Promise<string[]> {
  const result = await sql<{ name: string }>`
    SELECT name FROM sqlite_master
    WHERE type = 'index' AND name NOT LIKE 'sqlite_%'
    ORDER BY name`.execute(db);
  return result.rows.map((row) => row.name);
}

async function applied(): Promise<string[]> {
  const result = await sql<{
    name: string;
  }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
  return result.rows.map((row) => row.name);
}

describe('migrations', () => {
  it('lists the migrations in the order they run', () => {
    expect(migrationNames).toEqual([
      '2026-11-20-1-blocks',
      '2026-11-20-2-settings',
      '2026-11-21-1-tabs',
      '2026-11-21-2-sessions',
    ]);
  });

  it('migrates step by step, then to latest', async () => {
    await migrateTo(db, '2026-11-20-1-blocks');
    expect(await tables()).toEqual(['blocks']);
    expect(await applied()).toEqual(['2026-11-20-1-blocks']);

    await migrateTo(db, '2026-11-20-2-settings');
    expect(await tables()).toEqual(['blocks', 'settings']);

    await migrateToLatest(db);
    expect(await tables()).toEqual(['blocks', 'sessions', 'settings', 'tabs']);
    expect(await applied()).toEqual(migrationNames);

    // Running again is a no-op, not an error.
    await migrateToLatest(db);
    expect(await applied()).toEqual(migrationNames);
  });

  it('migrates back down with the down functions', async () => {
    await migrateToLatest(db);
    await migrateTo(db, '2026-11-20-1-blocks');
    expect(await tables()).toEqual(['blocks']);
  });

  it('adds sessions and a session column to existing blocks, and takes them away again', async () => {
    await migrateTo(db, '2026-11-21-1-tabs');
    await sql`INSERT INTO blocks (id, created_at, updated_at) VALUES ('old', 1, 1)`.execute(db);

    await migrateTo(db, '2026-11-21-2-sessions');
    const blocks = await sql<{
      id: string;
      session_id: string | null;
    }>`SELECT id, session_id FROM blocks`.execute(db);
    expect(blocks.rows).toEqual([{ id: 'old', session_id: null }]);
    expect(await indexes()).toEqual(['blocks_session_id', 'sessions_connection_name_unique']);

    await migrateTo(db, '2026-11-21-1-tabs');
    expect(await tables()).toEqual(['blocks', 'settings', 'tabs']);
    expect(await columns('blocks')).toEqual(['id', 'connection', 'created_at', 'updated_at']);
    expect(await indexes()).toEqual([]);
  });

  it('makes session names unique per connection, leaving unnamed sessions alone', async () => {
    await migrateToLatest(db);
    const insert = (id: string, connection: string, name: string | null) =>
      sql`INSERT INTO sessions (id, name, connection, backend, status, cols, rows, created_at, last_active_at)
          VALUES (${id}, ${name}, ${connection}, 'pty', 'init', 80, 24, 1, 1)`.execute(db);

    await insert('a', 'local', 'build');
    await insert('b', 'ssh:devbox', 'build');
    await insert('c', 'local', null);
    await insert('d', 'local', null);
    await expect(insert('e', 'local', 'build')).rejects.toMatchObject({
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
  });

  it('reports no unknown migrations for a fresh or current database', async () => {
    expect(await findUnknownMigrations(db)).toEqual([]);
    await migrateToLatest(db);
    expect(await findUnknownMigrations(db)).toEqual([]);
  });

  it('refuses a database with migrations from a newer build', async () => {
    await migrateToLatest(db);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${'2099-01-01-1-future'}, ${new Date().toISOString()})`.execute(
      db,
    );

    expect(await findUnknownMigrations(db)).toEqual(['2099-01-01-1-future']);
    const failure = await migrateToLatest(db).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnknownMigrationError);
    expect((failure as UnknownMigrationError).names).toEqual(['2099-01-01-1-future']);
  });

  it('throws an Error naming the migration that failed', async () => {
    // A table the first migration will try, and fail, to create.
    await sql`CREATE TABLE blocks (anything TEXT)`.execute(db);

    await expect(migrateToLatest(db)).rejects.toThrow(
      /^Database migration failed in "2026-11-20-1-blocks": .*already exists/,
    );
    // Nothing half-applied: the transaction rolled back and the odd table is untouched.
    const blocks = (await db.introspection.getTables()).find((table) => table.name === 'blocks');
    expect(blocks?.columns.map((column) => column.name)).toEqual(['anything']);
    expect(await applied()).toEqual([]);
  });
});
