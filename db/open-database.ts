// Opens Tether's SQLite database, migrated and ready. A file Tether cannot use (garbage, corrupt,
// or made by a newer Tether) is moved aside rather than deleted, so nothing the user had is lost,
// and a fresh database takes its place.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { rowProblem, schemaProblem } from './check-database';
import { findUnknownMigrations, migrateToLatest, UnknownMigrationError } from './migrate';
import { moveAside } from './move-aside';
import type { Database } from './schema';

export type OpenedDatabase = {
  db: Kysely<Database>;
  file: string;
  movedAside: { path: string; reason: string } | null;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  log?: (message: string) => void;
};

// Thrown inside this module when the file itself is the problem, as opposed to its surroundings.
class UnusableDatabaseError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnusableDatabaseError';
  }
}

export async function openDatabase(
  file: string,
  options: OpenDatabaseOptions = {},
): Promise<OpenedDatabase> {
  const log = options.log ?? (() => {});
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await inspect(file);
    return { ...(await connect(file, log)), file, movedAside: null };
  } catch (error) {
    if (!(error instanceof UnusableDatabaseError)) throw openFailure(file, error);
    let movedPath: string;
    try {
      movedPath = moveAside(file);
    } catch (moveError) {
      throw openFailure(file, moveError, `could not move it aside (${error.reason})`);
    }
    log(`Moved unusable database ${file} to ${movedPath}: ${error.reason}`);
    try {
      const opened = await connect(file, log);
      return { ...opened, file, movedAside: { path: movedPath, reason: error.reason } };
    } catch (retryError) {
      throw openFailure(file, retryError, `even after moving the old file to ${movedPath}`);
    }
  }
}

// Checks an existing file through a read-only connection. A read-write connection would, on
// closing, checkpoint and delete a -wal it could not make sense of; read-only leaves every byte.
async function inspect(file: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  const sqlite = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    sqlite.pragma('busy_timeout = 5000');
    checkIntegrity(sqlite);
    const unknown = await findUnknownMigrations(db);
    if (unknown.length > 0) throw new UnknownMigrationError(unknown);
    const schema = await schemaProblem(sqlite);
    if (schema) throw new UnusableDatabaseError(`its tables are not what Tether made: ${schema}`);
    const row = rowProblem(sqlite);
    if (row) throw new UnusableDatabaseError(`it holds data Tether did not write: ${row}`);
  } catch (error) {
    throw classify(error);
  } finally {
    await closeBoth(db, sqlite);
  }
}

async function connect(
  file: string,
  log: (message: string) => void,
): Promise<Pick<OpenedDatabase, 'db' | 'close'>> {
  const sqlite = new SqliteDatabase(file);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    plugins: [new CamelCasePlugin()],
  });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const journalMode: unknown = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal') log(`SQLite kept journal_mode ${String(journalMode)} for ${file}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    await migrateToLatest(db);
  } catch (error) {
    // Release the file before anyone tries to rename it.
    await closeBoth(db, sqlite).catch(() => {});
    throw classify(error);
  }
  return { db, close: () => closeBoth(db, sqlite) };
}

async function closeBoth<DB>(db: Kysely<DB>, sqlite: SqliteDatabase.Database): Promise<void> {
  await db.destroy();
  // Kysely only closes the handle if it ever used it; closing twice is harmless.
  sqlite.close();
}

// The full check, not quick_check: it also compares every index with its table, which random
// damage to one page passed quick_check in 30 of 100 trials without (issue 15). Its cost on a
// database of Tether's size is in docs/benchmarks.md (a few milliseconds).
function checkIntegrity(sqlite: SqliteDatabase.Database): void {
  const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
  const problems = rows
    .filter((row) => row.integrity_check !== 'ok')
    // One row can hold many newline-separated findings, headed by a '*** in database ***' banner.
    .flatMap((row) => row.integrity_check.split('\n'))
    .filter((line) => line.trim() !== '' && !line.startsWith('***'));
  if (problems.length > 0) {
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
    throw new UnusableDatabaseError(
      `integrity check failed: ${problems.slice(0, 3).join('; ')}${more}`,
    );
  }
}

// Turns errors that mean "this file is unusable" into UnusableDatabaseError; leaves the rest.
function classify(error: unknown): unknown {
  if (error instanceof UnusableDatabaseError) return error;
  if (error instanceof UnknownMigrationError) {
    return new UnusableDatabaseError('created by a newer version of Tether');
  }
  const sqliteError = findSqliteError(error);
  if (sqliteError?.code === 'SQLITE_NOTADB') {
    return new UnusableDatabaseError('not a SQLite database');
  }
  if (sqliteError?.code.startsWith('SQLITE_CORRUPT')) {
    return new UnusableDatabaseError(`integrity check failed: ${sqliteError.message}`);
  }
  return error;
}

// Migration failures arrive wrapped, so look down the cause chain for SQLite's own error.
function findSqliteError(error: unknown): { code: string; message: string } | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      return { code, message: current.message };
    }
  }
  return undefined;
}

function openFailure(file: string, error: unknown, context?: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const detail = context ? `${message}; ${context}` : message;
  return new Error(`Could not open database ${file}: ${detail}`, { cause: error });
}
