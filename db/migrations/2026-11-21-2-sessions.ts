// Migration: create the sessions table and let a block point at a session. Frozen: never edit
// after release, never import app code.
import { sql, type Kysely } from 'kysely';

// Kysely<unknown>: a migration sees the schema as SQL, never through today's app types.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    // NOT NULL because SQLite lets a non-integer PRIMARY KEY hold NULLs.
    .addColumn('id', 'text', (column) => column.primaryKey().notNull())
    .addColumn('name', 'text')
    .addColumn('connection', 'text', (column) => column.notNull())
    // 'pty', 'tmux' or 'plain'. No CHECK: SQLite cannot change one without rebuilding the table.
    .addColumn('backend', 'text', (column) => column.notNull())
    // 'init', 'running', 'disconnected' or 'done'.
    .addColumn('status', 'text', (column) => column.notNull())
    // JSON naming the backend's handle on the shell, e.g. a pid with its start time.
    .addColumn('backend_ref', 'text')
    .addColumn('done_reason', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('exit_signal', 'integer')
    .addColumn('topic', 'text')
    .addColumn('cols', 'integer', (column) => column.notNull())
    .addColumn('rows', 'integer', (column) => column.notNull())
    // Wall-clock milliseconds since the epoch, all of them: a deadline survives a restart.
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .addColumn('last_active_at', 'integer', (column) => column.notNull())
    .addColumn('last_output_at', 'integer')
    .addColumn('idle_deadline', 'integer')
    .execute();

  // Names are unique per connection; unnamed sessions are not compared at all.
  await db.schema
    .createIndex('sessions_connection_name_unique')
    .on('sessions')
    .columns(['connection', 'name'])
    .unique()
    .where(sql.ref('name'), 'is not', null)
    .execute();

  // No foreign key: the consistency checker has to see, and repair, a block whose session is gone.
  await db.schema.alterTable('blocks').addColumn('session_id', 'text').execute();
  await db.schema.createIndex('blocks_session_id').on('blocks').column('session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // SQLite refuses to drop an indexed column, so the index goes first.
  await db.schema.dropIndex('blocks_session_id').execute();
  await db.schema.alterTable('blocks').dropColumn('session_id').execute();
  await db.schema.dropTable('sessions').execute();
}
