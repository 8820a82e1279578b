// Reads and writes terminal blocks and which session each one shows. Each function takes the
// database (or a transaction) first, so callers can group several calls into one transaction.
import type { Kysely } from 'kysely';
import type { BlockRow, Database, NewBlock } from '../schema';

export async function listBlocks(db: Kysely<Database>): Promise<BlockRow[]> {
  // id breaks ties so blocks created in the same millisecond keep a stable order.
  return db.selectFrom('blocks').selectAll().orderBy('createdAt').orderBy('id').execute();
}

export async function getBlock(db: Kysely<Database>, id: string): Promise<BlockRow | undefined> {
  return db.selectFrom('blocks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertBlock(db: Kysely<Database>, block: NewBlock): Promise<BlockRow> {
  return db.insertInto('blocks').values(block).returningAll().executeTakeFirstOrThrow();
}

// Returns whether a block was there to delete.
export async function deleteBlock(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('blocks').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// SQLite caps the variables in one statement; stay far below every build's limit.
const DELETE_CHUNK = 500;

// Returns how many of the blocks were there to delete.
export async function deleteBlocks(db: Kysely<Database>, ids: readonly string[]): Promise<number> {
  let deleted = 0n;
  for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
    const chunk = ids.slice(start, start + DELETE_CHUNK);
    const result = await db.deleteFrom('blocks').where('id', 'in', chunk).executeTakeFirst();
    deleted += result.numDeletedRows;
  }
  return Number(deleted);
}

// Moves a block to another connection, showing a session there. Returns whether the block exists.
export async function setBlockConnection(
  db: Kysely<Database>,
  blockId: string,
  connection: string,
  sessionId: string,
): Promise<boolean> {
  const result = await db
    .updateTable('blocks')
    .set({ connection, sessionId, updatedAt: Date.now() })
    .where('id', '=', blockId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// Points a block at a session, or detaches it with null. Returns whether the block exists.
export async function setBlockSession(
  db: Kysely<Database>,
  blockId: string,
  sessionId: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('blocks')
    .set({ sessionId })
    .where('id', '=', blockId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listBlocksBySession(
  db: Kysely<Database>,
  sessionId: string,
): Promise<BlockRow[]> {
  return db
    .selectFrom('blocks')
    .selectAll()
    .where('sessionId', '=', sessionId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

// Detaches every block showing the session, as when it is deleted. Returns how many there were.
export async function detachBlocksFromSession(
  db: Kysely<Database>,
  sessionId: string,
): Promise<number> {
  const result = await db
    .updateTable('blocks')
    .set({ sessionId: null })
    .where('sessionId', '=', sessionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
