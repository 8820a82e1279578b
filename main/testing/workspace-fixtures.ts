/**
 * Test helpers for the workspace: build layouts by hand, create blocks through
 * a client, reach into the real database file behind a core's back (to damage
 * it the way a crash or an old version would), and watch a shell process die.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type {
  LayoutLeaf,
  LayoutNode,
  LayoutSplit,
  SplitDirection,
  Tab,
  Workspace,
} from '../../preload/layout';
import { leafIds } from '../../preload/layout';
import type { TestClient } from './core-harness';

export function leaf(blockId: string): LayoutLeaf {
  return { kind: 'leaf', blockId };
}

export function split(
  direction: SplitDirection,
  children: LayoutNode[],
  sizes: number[],
): LayoutSplit {
  return { kind: 'split', id: randomUUID(), direction, children, sizes };
}

/** A tab focused on its first leaf unless told otherwise. */
export function tab(
  name: string,
  root: LayoutNode,
  focus: { focusedBlockId?: string; magnifiedBlockId?: string | null } = {},
): Tab {
  return {
    id: randomUUID(),
    name,
    layout: {
      root,
      focusedBlockId: focus.focusedBlockId ?? leafIds(root)[0]!,
      magnifiedBlockId: focus.magnifiedBlockId ?? null,
    },
  };
}

export function workspaceOf(tabs: Tab[], active = 0): Workspace {
  return { tabs, activeTabId: tabs[active]!.id };
}

/** `count` new blocks, created one after another as a client would. */
export async function createBlocks(client: TestClient, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    ids.push((await client.request('createBlock', { connection: 'local' })).id);
  }
  return ids;
}

/**
 * A second, raw connection to a core's database file. The core keeps its own
 * open (WAL lets both work); close this one before the test ends.
 */
export function rawDatabase(dataDir: string): SqliteDatabase.Database {
  return new SqliteDatabase(join(dataDir, 'tether.db'));
}

/** Runs `work` on a raw connection and closes it again. */
export function withRawDatabase<T>(dataDir: string, work: (db: SqliteDatabase.Database) => T): T {
  const db = rawDatabase(dataDir);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Polls until the process is gone; false if it is still there after the timeout. */
export async function processEnds(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** A session row as the real file holds it, read behind the core's back (snake_case columns). */
export type StoredSession = {
  id: string;
  name: string | null;
  status: string;
  backend_ref: string | null;
  idle_deadline: number | null;
};

export function storedSession(dataDir: string, sessionId: string): StoredSession | undefined {
  return withRawDatabase(
    dataDir,
    (db) =>
      db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as StoredSession | undefined,
  );
}

/** The pid of a session's shell, from the backendRef its row holds; -1 when it has none. */
export function shellPid(dataDir: string, sessionId: string): number {
  const ref = storedSession(dataDir, sessionId)?.backend_ref;
  if (!ref) return -1;
  const { pid } = JSON.parse(ref) as { pid?: unknown };
  return typeof pid === 'number' ? pid : -1;
}
