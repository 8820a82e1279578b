/**
 * What the workspace's buttons and shortcuts do. Commands that need a new
 * block ask the core for one first, then apply the layout action; the rest
 * are layout actions. The last block of the last tab is never closed away:
 * a fresh tab takes its place, so there is always a terminal to type in.
 */
import { leafIds } from '../../preload/layout';
import { TetherError } from '../../preload/tether-error';
import { getClient } from '../api/client';
import { connectionPickerAtom } from '../state/connections';
import { sessionsAtom } from '../state/sessions';
import { addNoticesAtom, store } from '../state/store';
import {
  blocksAtom,
  dispatchLayout,
  overviewOpenAtom,
  pickerBlockAtom,
  rememberBlocks,
  requestFocus,
  workspaceAtom,
} from '../state/workspace';
import { prefetchPeeks } from '../sessions/picker/use-peeks';
import { roomToSplit } from './block-size';
import { activeTab, findBlockTab } from './layout-reducer';
import type { Command } from './shortcuts';

/**
 * A new block on a connection, showing `sessionId` when given, else a new
 * session of its own; a refusal is thrown.
 */
async function createBlockOn(connection: string, sessionId?: string): Promise<string> {
  const block = await getClient().request(
    'createBlock',
    sessionId ? { connection, sessionId } : { connection },
  );
  rememberBlocks([block]);
  return block.id;
}

/** `createBlockOn`, with a refusal told as a notice (null). */
async function newBlock(connection: string, sessionId?: string): Promise<string | null> {
  try {
    return await createBlockOn(connection, sessionId);
  } catch (error) {
    store.set(addNoticesAtom, [
      { level: 'error', message: `No new terminal: ${TetherError.from(error).message}` },
    ]);
    return null;
  }
}

/** The connection a block is on (a new block beside it opens there too); local if unknown. */
function connectionOf(blockId: string): string {
  return store.get(blocksAtom)[blockId]?.connection ?? 'local';
}

/** Name for a new tab: "Tab N" with N one past the highest in use. */
export function nextTabName(names: readonly string[]): string {
  let highest = 0;
  for (const name of names) {
    const match = /^Tab (\d+)$/.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return `Tab ${Math.max(highest, names.length) + 1}`;
}

export async function newTab(): Promise<void> {
  const blockId = await newBlock('local');
  if (blockId) addTab(blockId);
}

/**
 * A new tab whose block runs on `connection` (the connection picker's choice);
 * a refusal (a bad name, an unreachable host) is thrown for the picker to show.
 */
export async function newTabOn(connection: string): Promise<void> {
  addTab(await createBlockOn(connection));
}

function addTab(blockId: string): void {
  const workspace = store.get(workspaceAtom);
  if (!workspace) return;
  dispatchLayout({
    type: 'newTab',
    tabId: crypto.randomUUID(),
    blockId,
    name: nextTabName(workspace.tabs.map((tab) => tab.name)),
  });
  requestFocus();
}

/** Whether a block can be split; if not, the user is told why. */
function checkRoom(blockId: string, direction: 'right' | 'down'): boolean {
  if (roomToSplit(blockId, direction)) return true;
  store.set(addNoticesAtom, [
    {
      level: 'info',
      message: `There is no room to split this block ${direction === 'right' ? 'sideways' : 'downwards'}; make it bigger or close a neighbour first.`,
    },
  ]);
  return false;
}

export async function splitBlock(blockId: string, direction: 'right' | 'down'): Promise<void> {
  if (!checkRoom(blockId, direction)) return;
  // A split opens on the connection of the block it splits.
  const newBlockId = await newBlock(connectionOf(blockId));
  if (!newBlockId) return;
  dispatchLayout({ type: 'split', blockId, newBlockId, splitId: crypto.randomUUID(), direction });
  requestFocus();
}

/** Show a block's session in a new block beside it as well (both panes share the shell). */
export async function openInNewPane(blockId: string): Promise<void> {
  const sessionId = store.get(blocksAtom)[blockId]?.sessionId;
  if (sessionId) await openSessionInNewPane(sessionId, blockId);
}

/** Show a session in a new block to the right of `besideBlockId`, and focus it. */
export async function openSessionInNewPane(
  sessionId: string,
  besideBlockId: string,
): Promise<boolean> {
  if (!checkRoom(besideBlockId, 'right')) return false;
  const connection = store.get(sessionsAtom)[sessionId]?.connection ?? connectionOf(besideBlockId);
  const newBlockId = await newBlock(connection, sessionId);
  if (!newBlockId) return false;
  dispatchLayout({
    type: 'split',
    blockId: besideBlockId,
    newBlockId,
    splitId: crypto.randomUUID(),
    direction: 'right',
  });
  requestFocus();
  return true;
}

/**
 * Bring a session on screen: focus a block of this window that shows it
 * (the active tab's first), else open it in a new pane beside the focused block. False when
 * that was refused (the user has been told why).
 */
export async function revealSession(sessionId: string): Promise<boolean> {
  const workspace = store.get(workspaceAtom);
  if (!workspace) return false;
  const blocks = store.get(blocksAtom);
  const tabs = [activeTab(workspace), ...workspace.tabs];
  for (const tab of tabs) {
    const shown = leafIds(tab.layout.root).find((id) => blocks[id]?.sessionId === sessionId);
    if (!shown) continue;
    dispatchLayout({ type: 'activateTab', tabId: tab.id });
    dispatchLayout({ type: 'focus', blockId: shown });
    requestFocus();
    return true;
  }
  return openSessionInNewPane(sessionId, activeTab(workspace).layout.focusedBlockId);
}

export async function closeBlock(blockId: string): Promise<void> {
  const workspace = store.get(workspaceAtom);
  if (!workspace) return;
  const tab = findBlockTab(workspace, blockId);
  if (!tab) return;
  const lastBlock = workspace.tabs.length === 1 && tab.layout.root.kind === 'leaf';
  if (lastBlock) await newTab();
  dispatchLayout({ type: 'closeBlock', blockId });
  requestFocus();
}

export async function closeTab(tabId: string): Promise<void> {
  const workspace = store.get(workspaceAtom);
  if (!workspace) return;
  if (workspace.tabs.length === 1) await newTab();
  dispatchLayout({ type: 'closeTab', tabId });
  requestFocus();
}

/** Run a shortcut's command against the active tab's focused block. */
export function runCommand(command: Command): void {
  const workspace = store.get(workspaceAtom);
  if (!workspace) return;
  const focused = activeTab(workspace).layout.focusedBlockId;
  switch (command) {
    case 'newTab':
      void newTab();
      return;
    case 'newTabOnConnection':
      // The picker hangs from the tab bar, which the overview leaves visible.
      store.set(overviewOpenAtom, false);
      store.set(pickerBlockAtom, null);
      store.set(connectionPickerAtom, { kind: 'newTab' });
      return;
    case 'closeBlock':
      void closeBlock(focused);
      return;
    case 'splitRight':
      void splitBlock(focused, 'right');
      return;
    case 'splitDown':
      void splitBlock(focused, 'down');
      return;
    case 'toggleMagnify':
      dispatchLayout({ type: 'toggleMagnify', blockId: focused });
      break;
    case 'openInNewPane':
      void openInNewPane(focused);
      return;
    case 'sessionPicker': {
      const connection = store.get(blocksAtom)[focused]?.connection;
      if (connection) prefetchPeeks(getClient(), connection);
      // The picker hangs from the block's header, which the overview covers.
      store.set(overviewOpenAtom, false);
      store.set(pickerBlockAtom, focused);
      return;
    }
    case 'sessionsOverview':
      if (!store.get(overviewOpenAtom)) prefetchPeeks(getClient(), undefined);
      store.set(overviewOpenAtom, (open) => !open);
      return;
    case 'focusLeft':
    case 'focusRight':
    case 'focusUp':
    case 'focusDown': {
      const direction = command.slice('focus'.length).toLowerCase() as
        'left' | 'right' | 'up' | 'down';
      dispatchLayout({ type: 'focusDirection', direction });
      break;
    }
    case 'nextTab':
      dispatchLayout({ type: 'cycleTab', delta: 1 });
      break;
    case 'previousTab':
      dispatchLayout({ type: 'cycleTab', delta: -1 });
      break;
    default: {
      const digit = Number(command.slice('tab'.length));
      dispatchLayout({ type: 'activateTabAt', index: digit === 9 ? -1 : digit - 1 });
    }
  }
  requestFocus();
}
