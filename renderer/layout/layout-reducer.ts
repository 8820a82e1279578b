/**
 * Every change to the workspace's tabs and layouts, as one pure reducer. An
 * action that does not apply (unknown id, id already in use, a limit reached,
 * closing the last block) returns the very same workspace object, so callers
 * can tell a no-op by identity and skip saving. Actions that show intent to
 * use a block (focus, split, magnify) also make its tab the active one; a
 * block closing moves focus only if it had it.
 */
import {
  isUuid,
  LAYOUT_LIMITS,
  leafIds,
  nameProblem,
  type Tab,
  type TabLayout,
  type Workspace,
} from '../../preload/layout';
import { neighbour, type FocusDirection } from './geometry';
import { nodeIds, removeBlock, resizeSplit, splitBlock, splitIds } from './layout-tree';

export type LayoutAction =
  | { type: 'newTab'; tabId: string; blockId: string; name: string }
  | { type: 'closeTab'; tabId: string }
  | { type: 'renameTab'; tabId: string; name: string }
  | { type: 'moveTab'; tabId: string; toIndex: number }
  | { type: 'activateTab'; tabId: string }
  | { type: 'cycleTab'; delta: number }
  /** Index -1 is the last tab (Ctrl+9). */
  | { type: 'activateTabAt'; index: number }
  | {
      type: 'split';
      blockId: string;
      newBlockId: string;
      /** Used only when the block needs a new split around it. */
      splitId: string;
      direction: 'right' | 'down';
    }
  | { type: 'closeBlock'; blockId: string }
  | { type: 'resize'; splitId: string; sizes: number[] }
  | { type: 'focus'; blockId: string }
  | { type: 'focusDirection'; direction: FocusDirection }
  | { type: 'toggleMagnify'; blockId: string };

type ActionOf<Type extends LayoutAction['type']> = Extract<LayoutAction, { type: Type }>;

export function workspaceReducer(workspace: Workspace, action: LayoutAction): Workspace {
  switch (action.type) {
    case 'newTab':
      return newTab(workspace, action);
    case 'closeTab':
      return closeTab(workspace, action.tabId);
    case 'renameTab':
      return renameTab(workspace, action);
    case 'moveTab':
      return moveTab(workspace, action);
    case 'activateTab':
      return activateIndex(
        workspace,
        workspace.tabs.findIndex((tab) => tab.id === action.tabId),
      );
    case 'cycleTab':
      return cycleTab(workspace, action.delta);
    case 'activateTabAt':
      return activateIndex(
        workspace,
        action.index === -1 ? workspace.tabs.length - 1 : action.index,
      );
    case 'split':
      return split(workspace, action);
    case 'closeBlock':
      return closeBlock(workspace, action.blockId);
    case 'resize':
      return resize(workspace, action);
    case 'focus':
      return focus(workspace, action.blockId);
    case 'focusDirection':
      return focusDirection(workspace, action.direction);
    case 'toggleMagnify':
      return toggleMagnify(workspace, action.blockId);
    default:
      return workspace;
  }
}

/** The tab being shown. */
export function activeTab(workspace: Workspace): Tab {
  const tab = workspace.tabs.find((each) => each.id === workspace.activeTabId) ?? workspace.tabs[0];
  if (!tab) throw new Error('A workspace always has a tab.');
  return tab;
}

export function findBlockTab(workspace: Workspace, blockId: string): Tab | undefined {
  return workspace.tabs.find((tab) => leafIds(tab.layout.root).includes(blockId));
}

/** A tab's block ids in reading order. */
export function tabBlockIds(tab: Tab): string[] {
  return leafIds(tab.layout.root);
}

/** Every block id in the workspace, tab by tab in reading order. */
export function workspaceBlockIds(workspace: Workspace): string[] {
  return workspace.tabs.flatMap(tabBlockIds);
}

/** A workspace of one tab holding one block: the start, and what an unreadable save becomes. */
export function singleBlockWorkspace(tabId: string, blockId: string, name: string): Workspace {
  return { tabs: [singleBlockTab(tabId, blockId, name)], activeTabId: tabId };
}

function singleBlockTab(id: string, blockId: string, name: string): Tab {
  const layout: TabLayout = {
    root: { kind: 'leaf', blockId },
    focusedBlockId: blockId,
    magnifiedBlockId: null,
  };
  return { id, name, layout };
}

function newTab(workspace: Workspace, action: ActionOf<'newTab'>): Workspace {
  const name = action.name.trim();
  if (workspace.tabs.length >= LAYOUT_LIMITS.tabs || nameProblem(name) !== null) return workspace;
  if (!freshIds(workspace, [action.tabId, action.blockId])) return workspace;
  return {
    tabs: [...workspace.tabs, singleBlockTab(action.tabId, action.blockId, name)],
    activeTabId: action.tabId,
  };
}

/** Like a browser: closing the shown tab shows the one after it, else the one before. */
function closeTab(workspace: Workspace, tabId: string): Workspace {
  const index = workspace.tabs.findIndex((tab) => tab.id === tabId);
  if (index < 0 || workspace.tabs.length === 1) return workspace;
  const successor = workspace.tabs[index + 1] ?? workspace.tabs[index - 1];
  const activeTabId =
    workspace.activeTabId === tabId && successor ? successor.id : workspace.activeTabId;
  return { tabs: workspace.tabs.filter((tab) => tab.id !== tabId), activeTabId };
}

function renameTab(workspace: Workspace, action: ActionOf<'renameTab'>): Workspace {
  const name = action.name.trim();
  const tab = workspace.tabs.find((each) => each.id === action.tabId);
  if (!tab || tab.name === name || nameProblem(name) !== null) return workspace;
  return replaceTab(workspace, { ...tab, name });
}

function moveTab(workspace: Workspace, action: ActionOf<'moveTab'>): Workspace {
  const from = workspace.tabs.findIndex((tab) => tab.id === action.tabId);
  const tab = workspace.tabs[from];
  if (!tab || Number.isNaN(action.toIndex)) return workspace;
  const to = Math.min(Math.max(Math.trunc(action.toIndex), 0), workspace.tabs.length - 1);
  if (to === from) return workspace;
  const tabs = workspace.tabs.filter((each) => each !== tab);
  tabs.splice(to, 0, tab);
  return { ...workspace, tabs };
}

/** Steps through the tabs, wrapping past either end (Ctrl+Tab, Ctrl+Shift+Tab). */
function cycleTab(workspace: Workspace, delta: number): Workspace {
  if (!Number.isInteger(delta)) return workspace;
  const count = workspace.tabs.length;
  const current = workspace.tabs.findIndex((tab) => tab.id === workspace.activeTabId);
  return activateIndex(workspace, (((current + delta) % count) + count) % count);
}

function activateIndex(workspace: Workspace, index: number): Workspace {
  const tab = Number.isInteger(index) ? workspace.tabs[index] : undefined;
  if (!tab || tab.id === workspace.activeTabId) return workspace;
  return { ...workspace, activeTabId: tab.id };
}

function split(workspace: Workspace, action: ActionOf<'split'>): Workspace {
  const tab = findBlockTab(workspace, action.blockId);
  if (!tab || tabBlockIds(tab).length >= LAYOUT_LIMITS.blocksPerTab) return workspace;
  if (!freshIds(workspace, [action.newBlockId])) return workspace;
  const direction = action.direction === 'right' ? 'row' : 'column';
  const root = splitBlock(
    tab.layout.root,
    action.blockId,
    action.newBlockId,
    action.splitId,
    direction,
  );
  if (!root) return workspace;
  // The split id matters only if a new split was made; joining a split leaves it unused.
  const madeSplit = splitIds(root).length > splitIds(tab.layout.root).length;
  if (madeSplit && !freshIds(workspace, [action.splitId, action.newBlockId])) return workspace;
  return withLayout(
    workspace,
    tab,
    { root, focusedBlockId: action.newBlockId, magnifiedBlockId: null },
    true,
  );
}

function closeBlock(workspace: Workspace, blockId: string): Workspace {
  const tab = findBlockTab(workspace, blockId);
  if (!tab) return workspace;
  const removed = removeBlock(tab.layout.root, blockId);
  if (!removed) return closeTab(workspace, tab.id);
  const { layout } = tab;
  const alone = removed.root.kind === 'leaf';
  const magnifiedBlockId =
    layout.magnifiedBlockId === blockId || alone ? null : layout.magnifiedBlockId;
  const focusedBlockId =
    layout.focusedBlockId !== blockId ? layout.focusedBlockId : (magnifiedBlockId ?? removed.heir);
  return withLayout(
    workspace,
    tab,
    { root: removed.root, focusedBlockId, magnifiedBlockId },
    false,
  );
}

function resize(workspace: Workspace, action: ActionOf<'resize'>): Workspace {
  for (const tab of workspace.tabs) {
    const root = resizeSplit(tab.layout.root, action.splitId, action.sizes);
    if (root === tab.layout.root) return workspace;
    if (root) return withLayout(workspace, tab, { ...tab.layout, root }, false);
  }
  return workspace;
}

function focus(workspace: Workspace, blockId: string): Workspace {
  const tab = findBlockTab(workspace, blockId);
  if (!tab) return workspace;
  const { magnifiedBlockId } = tab.layout;
  return withLayout(
    workspace,
    tab,
    {
      ...tab.layout,
      focusedBlockId: blockId,
      magnifiedBlockId: magnifiedBlockId === blockId ? magnifiedBlockId : null,
    },
    true,
  );
}

/** Moving focus leaves a magnified block: the block it lands on is hidden otherwise. */
function focusDirection(workspace: Workspace, direction: FocusDirection): Workspace {
  const tab = activeTab(workspace);
  const target = neighbour(tab.layout.root, tab.layout.focusedBlockId, direction);
  if (target === null) return workspace;
  return withLayout(
    workspace,
    tab,
    { ...tab.layout, focusedBlockId: target, magnifiedBlockId: null },
    true,
  );
}

function toggleMagnify(workspace: Workspace, blockId: string): Workspace {
  const tab = findBlockTab(workspace, blockId);
  if (!tab) return workspace;
  if (tab.layout.magnifiedBlockId === blockId) {
    return withLayout(workspace, tab, { ...tab.layout, magnifiedBlockId: null }, false);
  }
  if (tab.layout.root.kind === 'leaf') return workspace;
  return withLayout(
    workspace,
    tab,
    { ...tab.layout, focusedBlockId: blockId, magnifiedBlockId: blockId },
    true,
  );
}

/** True when the ids are uuids, distinct, and unused anywhere in the workspace. */
function freshIds(workspace: Workspace, ids: string[]): boolean {
  if (new Set(ids).size !== ids.length || !ids.every(isUuid)) return false;
  const used = new Set(workspace.tabs.flatMap((tab) => [tab.id, ...nodeIds(tab.layout.root)]));
  return ids.every((id) => !used.has(id));
}

/** The workspace with a tab's layout replaced; the same workspace if nothing changed. */
function withLayout(
  workspace: Workspace,
  tab: Tab,
  layout: TabLayout,
  activate: boolean,
): Workspace {
  const activeTabId = activate ? tab.id : workspace.activeTabId;
  if (sameLayout(tab.layout, layout) && activeTabId === workspace.activeTabId) return workspace;
  const updated = sameLayout(tab.layout, layout) ? tab : { ...tab, layout };
  return { tabs: workspace.tabs.map((each) => (each === tab ? updated : each)), activeTabId };
}

function replaceTab(workspace: Workspace, tab: Tab): Workspace {
  return { ...workspace, tabs: workspace.tabs.map((each) => (each.id === tab.id ? tab : each)) };
}

function sameLayout(a: TabLayout, b: TabLayout): boolean {
  return (
    a.root === b.root &&
    a.focusedBlockId === b.focusedBlockId &&
    a.magnifiedBlockId === b.magnifiedBlockId
  );
}
