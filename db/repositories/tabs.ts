// Reads and writes the workspace's tabs and which one is active. Each function takes the database
// (or a transaction) first; replaceTabs changes several rows, so callers run it in a transaction.
import type { Kysely } from 'kysely';
import type { Database, NewTab, TabRow } from '../schema';
import { getSetting, setSetting } from './settings';

/** The settings key holding the active tab's id. */
export const ACTIVE_TAB_KEY = 'workspace.activeTab';

export async function listTabs(db: Kysely<Database>): Promise<TabRow[]> {
  // id breaks ties so a damaged table with repeated positions still reads in a stable order.
  return db.selectFrom('tabs').selectAll().orderBy('position').orderBy('id').execute();
}

// Makes the table hold exactly `rows`. A tab that already exists keeps its createdAt; the rest of
// its row is overwritten.
export async function replaceTabs(db: Kysely<Database>, rows: readonly NewTab[]): Promise<void> {
  const ids = rows.map((row) => row.id);
  let stale = db.deleteFrom('tabs');
  if (ids.length > 0) stale = stale.where('id', 'not in', ids);
  await stale.execute();
  for (const row of rows) {
    await db
      .insertInto('tabs')
      .values(row)
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet({
          position: row.position,
          name: row.name,
          layout: row.layout,
          layoutVersion: row.layoutVersion,
          updatedAt: row.updatedAt,
        }),
      )
      .execute();
  }
}

// Unchecked: the id may name a tab that no longer exists, or not be a string at all.
export async function getActiveTabId(db: Kysely<Database>): Promise<unknown> {
  return getSetting<unknown>(db, ACTIVE_TAB_KEY);
}

export async function setActiveTabId(db: Kysely<Database>, id: string): Promise<void> {
  await setSetting(db, ACTIVE_TAB_KEY, id);
}
