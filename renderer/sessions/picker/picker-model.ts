/**
 * What the session picker shows, without React: which sessions, in which
 * order, matching what the user typed, and how old their activity is.
 */
import type { SessionInfo } from '../../../preload/contract';
import { byRecentActivity, type Sessions } from '../../state/sessions';

/** Sessions on a connection whose name, title or id contains what was typed; most recent first. */
export function pickerRows(sessions: Sessions, connection: string, query: string): SessionInfo[] {
  const needle = query.trim().toLowerCase();
  return Object.values(sessions)
    .filter((session) => session.connection === connection && matches(session, needle))
    .sort(byRecentActivity);
}

function matches(session: SessionInfo, needle: string): boolean {
  if (needle === '') return true;
  return [session.name, session.displayName, session.topic, session.id].some(
    (text) => text !== null && text.toLowerCase().includes(needle),
  );
}

/** Whether a session is called by its id's first characters (shown in monospace). */
export function byId(session: Pick<SessionInfo, 'id' | 'displayName'>): boolean {
  return session.displayName === session.id.slice(0, 8);
}

/** Every session, grouped by connection (local first, then by name), each group most recent first. */
export function groupByConnection(sessions: Sessions): [string, SessionInfo[]][] {
  const groups = new Map<string, SessionInfo[]>();
  for (const session of Object.values(sessions)) {
    const group = groups.get(session.connection) ?? [];
    group.push(session);
    groups.set(session.connection, group);
  }
  const rank = (connection: string) => (connection === 'local' ? '' : `~${connection}`);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a).localeCompare(rank(b)))
    .map(([connection, group]) => [connection, group.sort(byRecentActivity)]);
}

/** Move a highlighted row by `delta`, wrapping around; -1 when there are no rows. */
export function moveHighlight(index: number, delta: number, count: number): number {
  if (count === 0) return -1;
  if (index < 0) return delta >= 0 ? 0 : count - 1;
  return (((index + delta) % count) + count) % count;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "3 min ago", "2 h ago", "5 d ago": how long ago a time was, for people. */
export function relativeAge(at: number, now: number): string {
  const elapsed = Math.max(0, now - at);
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  return `${Math.floor(elapsed / DAY)} d ago`;
}

/** "not shown", "1 pane", "3 panes". */
export function paneCount(count: number): string {
  if (count === 0) return 'not shown';
  return count === 1 ? '1 pane' : `${count} panes`;
}
