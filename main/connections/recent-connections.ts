/**
 * The connections a person opened blocks on, most recent first, kept in the
 * settings table. A damaged value reads as "none" rather than stopping the
 * connection picker.
 */
import type { Kysely } from 'kysely';
import { connectionProblem } from '../../preload/connection-name';
import { getSetting, setSetting } from '../../db/repositories/settings';
import type { Database } from '../../db/schema';

export type RecentConnection = { name: string; usedAt: number };

const KEY = 'recentConnections';
export const MAX_RECENT = 20;

export async function recentConnections(db: Kysely<Database>): Promise<RecentConnection[]> {
  const stored = await getSetting<unknown>(db, KEY);
  if (!Array.isArray(stored)) return [];
  return stored
    .filter(
      (entry): entry is RecentConnection =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as RecentConnection).name === 'string' &&
        connectionProblem((entry as RecentConnection).name) === null &&
        Number.isFinite((entry as RecentConnection).usedAt),
    )
    .sort((a, b) => b.usedAt - a.usedAt)
    .slice(0, MAX_RECENT);
}

export async function recordRecentConnection(
  db: Kysely<Database>,
  name: string,
  usedAt: number,
): Promise<void> {
  const rest = (await recentConnections(db)).filter((entry) => entry.name !== name);
  await setSetting(db, KEY, [{ name, usedAt }, ...rest].slice(0, MAX_RECENT));
}
