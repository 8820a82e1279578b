/**
 * The window's workspace: the tabs and layouts (changed only through the
 * layout reducer) and what the window knows of each block. Every change goes
 * through `dispatchLayout`, which also hands the new state to the saver.
 */
import { atom } from 'jotai';
import type { BlockInfo } from '../../preload/contract';
import type { Workspace } from '../../preload/layout';
import { TetherError } from '../../preload/tether-error';
import { getClient } from '../api/client';
import { workspaceReducer, type LayoutAction } from '../layout/layout-reducer';
import { WorkspaceSaver } from '../layout/workspace-saver';
import { addNoticesAtom, store } from './store';

/** The workspace; null until loaded. */
export const workspaceAtom = atom<Workspace | null>(null);

/** Blocks by id: their connection, creation time and the session they show. */
export const blocksAtom = atom<Record<string, BlockInfo>>({});

/** The block whose session picker is open; one at a time in a window. */
export const pickerBlockAtom = atom<string | null>(null);

/** Whether the sessions overview covers the tab area. */
export const overviewOpenAtom = atom(false);

/** Bumped to ask the focused block of the active tab to take keyboard focus again. */
export const focusRequestAtom = atom(0);

/** Actions that create or end blocks are written at once; the rest can wait a moment. */
const STRUCTURAL: ReadonlySet<LayoutAction['type']> = new Set([
  'newTab',
  'closeTab',
  'split',
  'closeBlock',
]);

let saveFailed = false;

export const saver = new WorkspaceSaver({
  send: async (workspace) => {
    await getClient().request('saveWorkspace', { workspace });
    saveFailed = false;
  },
  onError: (error) => {
    // One notice per run of failures, not one per drag.
    if (saveFailed) return;
    saveFailed = true;
    const message = TetherError.from(error).message;
    store.set(addNoticesAtom, [
      { level: 'error', message: `The layout could not be saved: ${message}` },
    ]);
  },
});

/** Apply a layout action; returns whether it changed anything. */
export function dispatchLayout(action: LayoutAction): boolean {
  const current = store.get(workspaceAtom);
  if (!current) return false;
  const next = workspaceReducer(current, action);
  if (next === current) return false;
  store.set(workspaceAtom, next);
  saver.schedule(next, STRUCTURAL.has(action.type));
  return true;
}

export function rememberBlocks(blocks: BlockInfo[]): void {
  store.set(blocksAtom, (known) => {
    const next = { ...known };
    for (const block of blocks) next[block.id] = block;
    return next;
  });
}

export function requestFocus(): void {
  store.set(focusRequestAtom, (count) => count + 1);
}
