// What a database file must be before Tether uses it, beyond SQLite's own integrity check:
// the tables, indexes and columns its migrations made (a table dropped or altered by hand is
// a file Tether cannot trust), and rows whose ids, statuses and JSON are what Tether writes.
// Pure reads; open-database.ts moves a file that fails aside.
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateTo, migrationNames, type MigrationName } from './migrate';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = new Set(['init', 'running', 'disconnected', 'done']);
const BACKENDS = new Set(['pty', 'tmux', 'plain']);

/** A table's columns, or an index's table, keys and kind: what Tether relies on, not its SQL text. */
type SchemaEntry = { type: 'table' | 'index'; name: string; parts: string[] };

/**
 * How the schema differs from what the applied migrations make; null when it does not.
 * Compared by structure (columns with their types, NOT NULL and keys; indexes with their
 * table, columns, uniqueness and whether they are partial), never by the SQL text, which the
 * query builder may print differently from one version to the next. More than the
 * migrations made (a column, a table, an index) is allowed.
 */
export async function schemaProblem(sqlite: SqliteDatabase.Database): Promise<string | null> {
  const applied = appliedMigrations(sqlite);
  const actual = schemaOf(sqlite);
  if (applied === null) {
    // No migrations ran: an empty file (a fresh start), or something that is not Tether's.
    const tables = [...actual.values()].filter((entry) => entry.type === 'table');
    return tables.length === 0 ? null : 'it has tables but no record of Tether making them';
  }
  const last = migrationNames.filter((name) => applied.has(name)).at(-1);
  const expected = await expectedSchema(last);
  for (const [name, entry] of expected) {
    const found = actual.get(name);
    if (!found || found.type !== entry.type) return `its ${entry.type} ${name} is missing`;
    // A table may have more columns; an index's four parts (table, unique, partial, keys) must all match.
    if (entry.parts.some((part) => !found.parts.includes(part))) {
      return `its ${entry.type} ${name} is not as Tether made it`;
    }
  }
  return null;
}

/** The first row that Tether could not have written, described; null when all are fine. */
export function rowProblem(sqlite: SqliteDatabase.Database): string | null {
  const has = (table: string) =>
    sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table);
  if (has('sessions')) {
    const rows = sqlite
      .prepare('SELECT rowid, id, status, backend, backend_ref, cols, rows FROM sessions')
      .all() as Record<string, unknown>[];
    for (const row of rows) {
      const where = `session row ${String(row.rowid)}`;
      if (typeof row.id !== 'string' || !UUID.test(row.id)) return `${where} has no valid id`;
      if (!STATUSES.has(row.status as string)) return `${where} has an unknown status`;
      if (!BACKENDS.has(row.backend as string)) return `${where} has an unknown backend`;
      if (!isPositiveInteger(row.cols) || !isPositiveInteger(row.rows)) {
        return `${where} has no valid size`;
      }
      if (row.backend_ref !== null && !isJsonObject(row.backend_ref)) {
        return `${where} has an unreadable shell reference`;
      }
    }
  }
  if (has('blocks')) {
    const columns = sqlite.prepare(`SELECT name FROM pragma_table_info('blocks')`).all() as {
      name: string;
    }[];
    const withSession = columns.some((column) => column.name === 'session_id');
    const rows = sqlite
      .prepare(`SELECT rowid, id${withSession ? ', session_id' : ''} FROM blocks`)
      .all() as Record<string, unknown>[];
    for (const row of rows) {
      const where = `block row ${String(row.rowid)}`;
      if (typeof row.id !== 'string' || !UUID.test(row.id)) return `${where} has no valid id`;
      const session = row.session_id;
      if (session != null && (typeof session !== 'string' || !UUID.test(session))) {
        return `${where} points at no valid session id`;
      }
    }
  }
  return null;
}

function appliedMigrations(sqlite: SqliteDatabase.Database): Set<string> | null {
  const table = sqlite
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'`)
    .get();
  if (!table) return null;
  const rows = sqlite.prepare('SELECT name FROM kysely_migration').all() as { name: string }[];
  return new Set(rows.map((row) => row.name));
}

function schemaOf(sqlite: SqliteDatabase.Database): Map<string, SchemaEntry> {
  const entries = new Map<string, SchemaEntry>();
  const tables = sqlite
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .all() as { name: string }[];
  for (const { name } of tables) {
    const columns = sqlite
      .prepare('SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?)')
      .all(name) as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    entries.set(name, {
      type: 'table',
      name,
      parts: columns.map(
        (c) => `${c.name} ${c.type.toLowerCase()} notnull=${c.notnull} pk=${c.pk}`,
      ),
    });
    const indexes = sqlite
      .prepare('SELECT name, "unique", partial FROM pragma_index_list(?)')
      .all(name) as {
      name: string;
      unique: number;
      partial: number;
    }[];
    for (const index of indexes) {
      if (index.name.startsWith('sqlite_')) continue;
      const keys = sqlite
        .prepare('SELECT name FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno')
        .all(index.name) as { name: string | null }[];
      entries.set(index.name, {
        type: 'index',
        name: index.name,
        parts: [
          `on ${name}`,
          `unique=${index.unique}`,
          `partial=${index.partial}`,
          `keys ${keys.map((k) => k.name).join(',')}`,
        ],
      });
    }
  }
  return entries;
}

/** The schema the migrations up to `last` make, built in a database in memory (once per name). */
const expectedCache = new Map<string, Promise<Map<string, SchemaEntry>>>();

function expectedSchema(last: MigrationName | undefined): Promise<Map<string, SchemaEntry>> {
  const key = last ?? '';
  let cached = expectedCache.get(key);
  if (!cached) {
    cached = (async () => {
      const sqlite = new SqliteDatabase(':memory:');
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
      try {
        if (last) await migrateTo(db, last);
        return schemaOf(sqlite);
      } finally {
        await db.destroy();
      }
    })();
    expectedCache.set(key, cached);
  }
  return cached;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isJsonObject(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}
