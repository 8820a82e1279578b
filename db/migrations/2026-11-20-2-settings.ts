// Migration: create the settings table. Frozen: never edit after release, never import app code.
import type { Kysely } from 'kysely';

// Kysely<unknown>: a migration sees the schema as SQL, never through today's app types.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    // NOT NULL because SQLite lets a non-integer PRIMARY KEY hold NULLs.
    .addColumn('key', 'text', (column) => column.primaryKey().notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'integer', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('settings').execute();
}
