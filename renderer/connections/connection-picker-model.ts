/**
 * What the connection picker shows, without React: the connections in their
 * order (local, then the ones used most recently, then the rest of
 * ~/.ssh/config by name), the ones matching what was typed, and whether the
 * typed text is itself somewhere to connect to (`[user@]host[:port]`).
 */
import { connectionProblem } from '../../preload/connection-name';
import { ConnectionName, type ConnectionInfo } from '../../preload/contract';

export type ConnectionRow =
  | { kind: 'known'; id: string; connection: ConnectionInfo }
  /** What was typed, offered as a new connection. */
  | { kind: 'new'; id: string; name: string };

/** What the typed text is, as a connection to open. */
export type FreeEntry =
  { kind: 'none' } | { kind: 'valid'; name: string } | { kind: 'invalid'; problem: string };

/** local, then by last use (most recent first), then never used, by name. */
export function orderConnections(list: readonly ConnectionInfo[]): ConnectionInfo[] {
  const rank = (info: ConnectionInfo) => (info.kind === 'local' ? 0 : info.lastUsedAt ? 1 : 2);
  return [...list].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0) ||
      a.name.localeCompare(b.name),
  );
}

/**
 * Whether typed text names somewhere to connect: `host`, `user@host`,
 * `host:port` or `[::1]:port`, by the rule main applies (connection-name.ts)
 * and the contract's schema, so a refusal can be said before asking.
 */
export function parseFreeEntry(text: string): FreeEntry {
  const name = text.trim();
  if (name === '') return { kind: 'none' };
  const problem = connectionProblem(name);
  if (problem) return { kind: 'invalid', problem };
  if (!ConnectionName.safeParse(name).success) {
    return { kind: 'invalid', problem: 'Type a host as [user@]host[:port].' };
  }
  return { kind: 'valid', name };
}

function matches(info: ConnectionInfo, needle: string): boolean {
  if (needle === '') return true;
  return [info.name, info.target].some(
    (text) => text !== null && text.toLowerCase().includes(needle),
  );
}

/**
 * The picker's rows for what was typed. Typed text that names a connection not
 * listed is offered too ("Connect to …"): first, unless a listed name or
 * target starts with it (typing "dev" to find "devbox" must not make Enter
 * open host "dev").
 */
export function connectionRows(list: readonly ConnectionInfo[], query: string): ConnectionRow[] {
  const needle = query.trim().toLowerCase();
  const known: ConnectionRow[] = orderConnections(list)
    .filter((info) => matches(info, needle))
    .map((info) => ({ kind: 'known', id: `known:${info.name}`, connection: info }));
  const entry = parseFreeEntry(query);
  if (entry.kind !== 'valid') return known;
  // Host names, and so ~/.ssh/config's Host patterns, ignore case.
  const typed = entry.name.toLowerCase();
  if (list.some((info) => info.name.toLowerCase() === typed)) return known;
  const offered: ConnectionRow = { kind: 'new', id: `new:${entry.name}`, name: entry.name };
  const completes = list.some((info) =>
    [info.name, info.target].some((text) => text?.toLowerCase().startsWith(needle)),
  );
  return completes ? [...known, offered] : [offered, ...known];
}

/** The connection a row opens. */
export function rowConnection(row: ConnectionRow): string {
  return row.kind === 'known' ? row.connection.name : row.name;
}
