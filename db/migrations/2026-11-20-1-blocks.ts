// Migration: create the blocks table. Frozen: never edit after release, never import app code.
import type { Kysely } from 'kysely';

// Kysely<unknown>: a migration sees the schema as SQL, never through today's app types.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blocks')
    // NOT NULL because SQLite lets a non-integer PRIMARY KEY hold NULLs.
    .addColumn('id', 'text', (column) => column.primaryKey().notNull())
    .addColumn('connection', 'text', (column) => column.notNull().defaultTo('local'))
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'integer', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('blocks').execute();
}
