// Reads and writes settings, stored as JSON text keyed by name. Each function takes the database
// (or a transaction) first, so callers can group several calls into one transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../schema';

// T is trusted, not checked: callers that need certainty should validate the result.
export async function getSetting<T>(db: Kysely<Database>, key: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    // A damaged value should fall back to the default, not stop the app from starting.
    return undefined;
  }
}

export async function setSetting<T>(db: Kysely<Database>, key: string, value: T): Promise<void> {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) {
    throw new TypeError(`Setting "${key}" cannot be stored: its value has no JSON form`);
  }
  const updatedAt = Date.now();
  await db
    .insertInto('settings')
    .values({ key, value: json, updatedAt })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: json, updatedAt }))
    .execute();
}
