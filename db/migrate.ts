// Runs the schema migrations. They are listed in code rather than found by scanning a folder,
// because once the app is bundled there is no migrations folder to scan.
import {
  DEFAULT_MIGRATION_TABLE,
  Migrator,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import * as blocks from './migrations/2026-11-20-1-blocks';
import * as settings from './migrations/2026-11-20-2-settings';
import * as tabs from './migrations/2026-11-21-1-tabs';
import * as sessions from './migrations/2026-11-21-2-sessions';

// Names sort in the order they must run; kysely refuses to run them out of order.
const migrations = {
  '2026-11-20-1-blocks': blocks,
  '2026-11-20-2-settings': settings,
  '2026-11-21-1-tabs': tabs,
  '2026-11-21-2-sessions': sessions,
} satisfies Record<string, Migration>;

export type MigrationName = keyof typeof migrations;

export const migrationNames = Object.keys(migrations) as MigrationName[];

const provider: MigrationProvider = {
  getMigrations: async () => migrations,
};

// The database has run migrations this build does not ship, so a newer Tether made it.
export class UnknownMigrationError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`database has migrations this version does not know: ${names.join(', ')}`);
    this.name = 'UnknownMigrationError';
  }
}

// The tables this module reads, frozen here rather than taken from the app schema.
interface MigrationTables {
  sqlite_master: { type: string; name: string };
  kysely_migration: { name: string; timestamp: string };
}

export async function findUnknownMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const plain = db.withoutPlugins() as unknown as Kysely<MigrationTables>;
  const table = await plain
    .selectFrom('sqlite_master')
    .select('name')
    .where('type', '=', 'table')
    .where('name', '=', DEFAULT_MIGRATION_TABLE)
    .executeTakeFirst();
  if (!table) return [];
  const rows = await plain.selectFrom('kysely_migration').select('name').execute();
  return rows.map((row) => row.name).filter((name) => !Object.hasOwn(migrations, name));
}

export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<void> {
  await run(db, (migrator) => migrator.migrateToLatest());
}

// Lets tests build a database as an older Tether would have left it.
export async function migrateTo<DB>(db: Kysely<DB>, name: MigrationName): Promise<void> {
  await run(db, (migrator) => migrator.migrateTo(name));
}

async function run<DB>(
  db: Kysely<DB>,
  migrate: (migrator: Migrator) => Promise<MigrationResultSet>,
): Promise<void> {
  // Checked up front so callers get a typed error instead of kysely's generic message.
  const unknown = await findUnknownMigrations(db);
  if (unknown.length > 0) throw new UnknownMigrationError(unknown);

  // Without plugins, so migrations keep meaning what they meant when written.
  const migrator = new Migrator({ db: db.withoutPlugins(), provider });
  const { error, results } = await migrate(migrator);
  if (error === undefined) return;

  const failed = results?.find((result) => result.status === 'Error');
  const where = failed ? ` in "${failed.migrationName}"` : '';
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`Database migration failed${where}: ${message}`, { cause: error });
}
