// Migration: create the tabs table. Frozen: never edit after release, never import app code.
import type { Kysely } from 'kysely';

// Kysely<unknown>: a migration sees the schema as SQL, never through today's app types.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tabs')
    // NOT NULL because SQLite lets a non-integer PRIMARY KEY hold NULLs.
    .addColumn('id', 'text', (column) => column.primaryKey().notNull())
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    // The tab's layout tree as JSON, in the shape layout_version names.
    .addColumn('layout', 'text', (column) => column.notNull())
    .addColumn('layout_version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('updated_at', 'integer', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tabs').execute();
}
