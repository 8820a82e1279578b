/**
 * The workspace's owner: keeps the tabs and their layouts in SQLite, repairs
 * what it reads, and decides which blocks exist (the layouts are the truth: a
 * block no layout names is deleted and its shell ended). Every operation runs
 * through one queue, so requests take effect in the order they arrived (a
 * save, a createBlock, the next save) although each one awaits the database.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { deleteBlocks, insertBlock, listBlocks } from '../../db/repositories/blocks';
import { getActiveTabId, listTabs, replaceTabs, setActiveTabId } from '../../db/repositories/tabs';
import type { BlockRow, Database, NewTab } from '../../db/schema';
import type { BlockInfo, WorkspaceReply } from '../../preload/contract';
import { LAYOUT_VERSION, leafIds, parseWorkspace, type Workspace } from '../../preload/layout';
import { TetherError } from '../../preload/tether-error';
import type { Logger } from '../log';
import { repairWorkspace } from './repair-workspace';
import { createSerialQueue } from './serial-queue';

export type WorkspaceStore = {
  /** The stored workspace and its blocks; anything unusable is repaired and written back. */
  load(): Promise<WorkspaceReply>;
  /** Check and store a client's workspace; blocks it no longer names are deleted and closed. */
  save(value: unknown): Promise<void>;
  /** A new block, for a following save to place in a layout. */
  createBlock(connection: string, sessionId: string): Promise<BlockInfo>;
  /** Resolves once everything queued so far has finished (before closing the database). */
  settled(): Promise<void>;
};

/** The session side of a block's life, as the workspace needs it. */
export type BlockSessions = {
  /** Blocks deleted from the layout: detach them (their sessions keep running). */
  closed(blockIds: string[]): void;
  /** A new session for a block the workspace must (re)create. */
  createFor(connection: string): Promise<string>;
  /** After the block row exists: the session counts it as attached. */
  bound(blockId: string, sessionId: string): Promise<void>;
};

export type WorkspaceStoreOptions = {
  db: Kysely<Database>;
  /** What blocks show: closed blocks are detached from it, recreated blocks get a session. */
  sessions: BlockSessions;
  log: Logger;
};

/** Repairs are reported again on every load, so a window that reloads still reads them; capped. */
const MAX_WARNINGS = 20;

export function createWorkspaceStore({ db, sessions, log }: WorkspaceStoreOptions): WorkspaceStore {
  const queue = createSerialQueue();
  // Created but not yet named by a save. A save sent before the createBlock reply arrived
  // cannot name the block yet, and must not delete it. The next start-up load collects any
  // block that was never placed.
  const unplaced = new Set<string>();
  const warnings: string[] = [];

  async function load(): Promise<WorkspaceReply> {
    const stored = await guard('The workspace could not be read', async () => ({
      tabs: await listTabs(db),
      activeTabId: await getActiveTabId(db),
      blocks: await listBlocks(db),
    }));
    const repaired = repairWorkspace(stored);
    for (const note of repaired.notes) log.warn(`workspace: ${note}`);
    for (const warning of repaired.warnings) {
      log.warn(`workspace: ${warning}`);
      if (!warnings.includes(warning) && warnings.length < MAX_WARNINGS) warnings.push(warning);
    }
    const { workspace } = repaired;
    const named = namedBlocks(workspace);
    const shown = new Set(named);
    const rows = new Map(stored.blocks.map((row) => [row.id, row]));
    const missing = named.filter((id) => !rows.has(id));
    const unnamed = [...rows.keys()].filter((id) => !shown.has(id) && !unplaced.has(id));
    if (missing.length > 0) log.warn('workspace: recreating blocks its layouts name', missing);
    if (unnamed.length > 0) log.info('workspace: deleting blocks no layout names', unnamed);

    // Sessions first: the block rows below are written in one transaction, which must not
    // wait on another write through the same connection.
    const sessionOf = new Map<string, string>();
    for (const id of missing) sessionOf.set(id, await sessions.createFor('local'));

    if (repaired.changed || missing.length > 0 || unnamed.length > 0) {
      const now = Date.now();
      await guard('The repaired workspace could not be saved', () =>
        db.transaction().execute(async (transaction) => {
          if (repaired.changed) {
            await replaceTabs(transaction, tabRows(workspace, now));
            await setActiveTabId(transaction, workspace.activeTabId);
          }
          for (const id of missing) {
            const sessionId = sessionOf.get(id) ?? null;
            const block = { id, connection: 'local', sessionId, createdAt: now, updatedAt: now };
            rows.set(id, await insertBlock(transaction, block));
          }
          await deleteBlocks(transaction, unnamed);
        }),
      );
      if (unnamed.length > 0) sessions.closed(unnamed);
      for (const [blockId, sessionId] of sessionOf) await sessions.bound(blockId, sessionId);
    }
    return {
      workspace,
      blocks: named.map((id) => blockInfo(rows.get(id)!)),
      warnings: [...warnings],
    };
  }

  async function store(workspace: Workspace): Promise<void> {
    const named = namedBlocks(workspace);
    const shown = new Set(named);
    const now = Date.now();
    const closed = await guard('The workspace could not be saved', () =>
      db.transaction().execute(async (transaction) => {
        const existing = (await listBlocks(transaction)).map((row) => row.id);
        const known = new Set(existing);
        const unknown = named.find((id) => !known.has(id));
        if (unknown !== undefined) {
          throw new TetherError(
            'not_found',
            `The workspace was not saved: it shows block ${unknown}, which does not exist.`,
          );
        }
        await replaceTabs(transaction, tabRows(workspace, now));
        await setActiveTabId(transaction, workspace.activeTabId);
        const gone = existing.filter((id) => !shown.has(id) && !unplaced.has(id));
        await deleteBlocks(transaction, gone);
        return gone;
      }),
    );
    for (const id of named) unplaced.delete(id);
    // Only after the commit: a failed save must leave every shell running.
    if (closed.length > 0) sessions.closed(closed);
  }

  async function create(connection: string, sessionId: string): Promise<BlockInfo> {
    const now = Date.now();
    const row = await guard('The new terminal could not be stored', () =>
      insertBlock(db, { id: randomUUID(), connection, sessionId, createdAt: now, updatedAt: now }),
    );
    await sessions.bound(row.id, sessionId);
    unplaced.add(row.id);
    return blockInfo(row);
  }

  /** Database failures become `storage_failed`; the TetherErrors we throw pass through. */
  async function guard<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TetherError) throw error;
      log.error(`workspace: ${action}`, error);
      const reason = error instanceof Error ? error.message : String(error);
      throw new TetherError('storage_failed', `${action}: ${reason}`);
    }
  }

  return {
    load: () => queue.run(load),
    save(value) {
      // Checked before queueing: a refused workspace changes nothing, so it need not wait its turn.
      const parsed = parseWorkspace(value);
      if (!parsed.ok) {
        const message = `The workspace was not saved: ${parsed.reason}`;
        return Promise.reject(new TetherError('invalid_payload', message));
      }
      return queue.run(() => store(parsed.value));
    },
    createBlock: (connection, sessionId) => queue.run(() => create(connection, sessionId)),
    settled: () => queue.run(async () => {}),
  };
}

/** Every block the layouts show, tab by tab in reading order. */
function namedBlocks(workspace: Workspace): string[] {
  return workspace.tabs.flatMap((tab) => leafIds(tab.layout.root));
}

function tabRows(workspace: Workspace, now: number): NewTab[] {
  return workspace.tabs.map((tab, position) => ({
    id: tab.id,
    position,
    name: tab.name,
    layout: JSON.stringify(tab.layout),
    layoutVersion: LAYOUT_VERSION,
    // Ignored for a tab already stored: replaceTabs keeps its creation time.
    createdAt: now,
    updatedAt: now,
  }));
}

function blockInfo({ id, connection, createdAt, sessionId }: BlockRow): BlockInfo {
  return { id, connection, createdAt, sessionId };
}
