import { describe, expect, it } from 'vitest';
import { LAYOUT_LIMITS, type LayoutNode, type Workspace } from '../../preload/layout';
import { layoutProblems } from './layout-problems';
import {
  activeTab,
  findBlockTab,
  singleBlockWorkspace,
  tabBlockIds,
  workspaceBlockIds,
  workspaceReducer,
  type LayoutAction,
} from './layout-reducer';

/** Readable stand-ins for uuids: `A` is the block called A, and so on. */
const ids = new Map<string, string>();
const names = new Map<string, string>();
function id(name: string): string {
  let value = ids.get(name);
  if (!value) {
    value = `00000000-0000-4000-8000-${String(ids.size + 1).padStart(12, '0')}`;
    ids.set(name, value);
    names.set(value, name);
  }
  return value;
}

/** A tree as text: `row(A 50, column(B 50, C 50) 50)`. */
function shape(node: LayoutNode): string {
  if (node.kind === 'leaf') return names.get(node.blockId) ?? node.blockId;
  const children = node.children.map((child, index) => `${shape(child)} ${node.sizes[index]}`);
  return `${node.direction}(${children.join(', ')})`;
}

function run(workspace: Workspace, ...actions: LayoutAction[]): Workspace {
  return actions.reduce((state, action) => {
    const next = workspaceReducer(state, action);
    expect(layoutProblems(next)).toEqual([]);
    return next;
  }, workspace);
}

let splits = 0;
type SplitAction = Extract<LayoutAction, { type: 'split' }>;
function split(blockId: string, newBlockId: string, direction: 'right' | 'down'): SplitAction {
  splits += 1;
  return {
    type: 'split',
    blockId: id(blockId),
    newBlockId: id(newBlockId),
    splitId: id(`split ${splits}`),
    direction,
  };
}

const start = (): Workspace => singleBlockWorkspace(id('tab 1'), id('A'), 'one');
const layoutOf = (workspace: Workspace) => activeTab(workspace).layout;
const focused = (workspace: Workspace) => names.get(layoutOf(workspace).focusedBlockId);
const tabNames = (workspace: Workspace) => workspace.tabs.map((tab) => tab.name);

function threeTabs(): Workspace {
  return run(
    start(),
    { type: 'newTab', tabId: id('tab 2'), blockId: id('B'), name: 'two' },
    { type: 'newTab', tabId: id('tab 3'), blockId: id('C'), name: 'three' },
  );
}

describe('tabs', () => {
  it('appends a new tab, shows it and focuses its block', () => {
    const workspace = threeTabs();
    expect(tabNames(workspace)).toEqual(['one', 'two', 'three']);
    expect(workspace.activeTabId).toBe(id('tab 3'));
    expect(focused(workspace)).toBe('C');
  });

  it('refuses a new tab whose ids are taken or whose name is unusable', () => {
    const workspace = start();
    const taken: LayoutAction[] = [
      { type: 'newTab', tabId: id('tab 1'), blockId: id('B'), name: 'two' },
      { type: 'newTab', tabId: id('tab 2'), blockId: id('A'), name: 'two' },
      { type: 'newTab', tabId: id('B'), blockId: id('B'), name: 'two' },
      { type: 'newTab', tabId: 'tab-2', blockId: id('B'), name: 'two' },
      { type: 'newTab', tabId: id('tab 2'), blockId: id('B'), name: '   ' },
    ];
    for (const action of taken) expect(workspaceReducer(workspace, action)).toBe(workspace);
  });

  it('shows the tab after a closed active tab, else the one before', () => {
    const workspace = run(threeTabs(), { type: 'activateTab', tabId: id('tab 2') });
    const closedMiddle = run(workspace, { type: 'closeTab', tabId: id('tab 2') });
    expect(tabNames(closedMiddle)).toEqual(['one', 'three']);
    expect(closedMiddle.activeTabId).toBe(id('tab 3'));
    const closedLast = run(closedMiddle, { type: 'closeTab', tabId: id('tab 3') });
    expect(closedLast.activeTabId).toBe(id('tab 1'));
  });

  it('keeps the active tab when another tab closes, and never closes the last tab', () => {
    const workspace = run(threeTabs(), { type: 'closeTab', tabId: id('tab 1') });
    expect(workspace.activeTabId).toBe(id('tab 3'));
    const alone = start();
    expect(workspaceReducer(alone, { type: 'closeTab', tabId: id('tab 1') })).toBe(alone);
  });

  it('renames with the name trimmed and rejects unusable names', () => {
    const workspace = start();
    const renamed = run(workspace, { type: 'renameTab', tabId: id('tab 1'), name: '  logs ' });
    expect(tabNames(renamed)).toEqual(['logs']);
    for (const name of ['', '  ', 'x'.repeat(65), 'a\u0007b']) {
      expect(workspaceReducer(workspace, { type: 'renameTab', tabId: id('tab 1'), name })).toBe(
        workspace,
      );
    }
    const action: LayoutAction = { type: 'renameTab', tabId: id('nowhere'), name: 'x' };
    expect(workspaceReducer(workspace, action)).toBe(workspace);
  });

  it('moves a tab, clamping the index into range', () => {
    const workspace = threeTabs();
    const move = (tab: string, toIndex: number) =>
      tabNames(run(workspace, { type: 'moveTab', tabId: id(tab), toIndex }));
    expect(move('tab 1', 1)).toEqual(['two', 'one', 'three']);
    expect(move('tab 1', 99)).toEqual(['two', 'three', 'one']);
    expect(move('tab 3', -5)).toEqual(['three', 'one', 'two']);
    const nowhere: LayoutAction = { type: 'moveTab', tabId: id('tab 1'), toIndex: -5 };
    expect(workspaceReducer(workspace, nowhere)).toBe(workspace);
  });

  it('cycles through the tabs, wrapping at both ends', () => {
    const workspace = threeTabs();
    expect(run(workspace, { type: 'cycleTab', delta: 1 }).activeTabId).toBe(id('tab 1'));
    expect(run(workspace, { type: 'cycleTab', delta: -1 }).activeTabId).toBe(id('tab 2'));
    expect(run(workspace, { type: 'cycleTab', delta: -4 }).activeTabId).toBe(id('tab 2'));
    expect(workspaceReducer(workspace, { type: 'cycleTab', delta: 3 })).toBe(workspace);
  });

  it('activates a tab by position, -1 meaning the last, ignoring positions out of range', () => {
    const workspace = run(threeTabs(), { type: 'activateTabAt', index: 0 });
    expect(workspace.activeTabId).toBe(id('tab 1'));
    expect(run(workspace, { type: 'activateTabAt', index: -1 }).activeTabId).toBe(id('tab 3'));
    for (const index of [3, 7, -2, 0.5]) {
      expect(workspaceReducer(workspace, { type: 'activateTabAt', index })).toBe(workspace);
    }
  });
});

describe('split', () => {
  it('puts the new block right of or below the target, 50/50, and focuses it', () => {
    const right = run(start(), split('A', 'B', 'right'));
    expect(shape(layoutOf(right).root)).toBe('row(A 50, B 50)');
    expect(focused(right)).toBe('B');
    const down = run(right, split('A', 'C', 'down'));
    expect(shape(layoutOf(down).root)).toBe('row(column(A 50, C 50) 50, B 50)');
    expect(focused(down)).toBe('C');
  });

  it('joins a parent of the same direction, halving only the target', () => {
    const workspace = run(
      start(),
      split('A', 'B', 'right'),
      split('A', 'C', 'right'),
      split('B', 'D', 'right'),
    );
    expect(shape(layoutOf(workspace).root)).toBe('row(A 25, C 25, B 25, D 25)');
    const again = run(workspace, split('C', 'E', 'right'));
    expect(shape(layoutOf(again).root)).toBe('row(A 25, C 12.5, E 12.5, B 25, D 25)');
  });

  it('refuses ids already in use and unknown targets', () => {
    const workspace = run(start(), split('A', 'B', 'right'));
    const { root } = layoutOf(workspace);
    const splitId = root.kind === 'split' ? root.id : '';
    const actions: LayoutAction[] = [
      split('A', 'B', 'down'),
      split('A', 'tab 1', 'down'),
      { ...split('A', 'C', 'down'), splitId: id('B') },
      { ...split('A', 'C', 'down'), splitId },
      { ...split('A', 'C', 'down'), splitId: id('C') },
      { ...split('A', 'C', 'down'), newBlockId: 'not a uuid' },
      split('nowhere', 'C', 'down'),
    ];
    for (const action of actions) expect(workspaceReducer(workspace, action)).toBe(workspace);
  });

  it('ignores the split id when joining an existing split', () => {
    const workspace = run(start(), split('A', 'B', 'right'));
    const next = run(workspace, { ...split('A', 'C', 'right'), splitId: id('B') });
    expect(shape(layoutOf(next).root)).toBe('row(A 25, C 25, B 50)');
  });

  it('clears magnify and shows the tab of the split block', () => {
    const workspace = run(
      start(),
      split('A', 'B', 'right'),
      { type: 'toggleMagnify', blockId: id('A') },
      { type: 'newTab', tabId: id('tab 2'), blockId: id('C'), name: 'two' },
      split('A', 'D', 'down'),
    );
    expect(workspace.activeTabId).toBe(id('tab 1'));
    expect(layoutOf(workspace).magnifiedBlockId).toBeNull();
  });
});

describe('closeBlock', () => {
  it('gives the space to the previous sibling and focuses its leaf nearest the gap', () => {
    const workspace = run(
      start(),
      split('A', 'B', 'right'),
      split('A', 'C', 'down'),
      split('C', 'D', 'right'),
      split('B', 'E', 'right'),
    );
    expect(shape(layoutOf(workspace).root)).toBe(
      'row(column(A 50, row(C 50, D 50) 50) 50, B 25, E 25)',
    );
    const closed = run(
      workspace,
      { type: 'focus', blockId: id('B') },
      {
        type: 'closeBlock',
        blockId: id('B'),
      },
    );
    expect(shape(layoutOf(closed).root)).toBe('row(column(A 50, row(C 50, D 50) 50) 75, E 25)');
    expect(focused(closed)).toBe('D');
  });

  it("gives the first child's space to the next sibling and focuses its first leaf", () => {
    const workspace = run(
      start(),
      split('A', 'B', 'right'),
      split('B', 'C', 'down'),
      { type: 'focus', blockId: id('A') },
      { type: 'closeBlock', blockId: id('A') },
    );
    expect(shape(layoutOf(workspace).root)).toBe('column(B 50, C 50)');
    expect(focused(workspace)).toBe('B');
  });

  it('merges a lone child split into a grandparent of the same direction', () => {
    const workspace = run(
      start(),
      split('A', 'B', 'right'),
      split('B', 'C', 'down'),
      split('C', 'D', 'right'),
      { type: 'closeBlock', blockId: id('B') },
    );
    expect(shape(layoutOf(workspace).root)).toBe('row(A 50, C 25, D 25)');
    expect(focused(workspace)).toBe('D');
  });

  it('keeps focus where it was when another block closes', () => {
    const workspace = run(start(), split('A', 'B', 'right'), split('B', 'C', 'right'), {
      type: 'closeBlock',
      blockId: id('A'),
    });
    expect(focused(workspace)).toBe('C');
  });

  it('clears magnify when the magnified block closes or stands alone', () => {
    const three = run(start(), split('A', 'B', 'right'), split('B', 'C', 'right'));
    const magnified = run(three, { type: 'toggleMagnify', blockId: id('B') });
    const closed = run(magnified, { type: 'closeBlock', blockId: id('B') });
    expect(layoutOf(closed).magnifiedBlockId).toBeNull();
    const other = run(magnified, { type: 'closeBlock', blockId: id('A') });
    expect(layoutOf(other).magnifiedBlockId).toBe(id('B'));
    const alone = run(other, { type: 'closeBlock', blockId: id('C') });
    expect(layoutOf(alone).magnifiedBlockId).toBeNull();
  });

  it('closes the tab with its last block, but never the last block of the last tab', () => {
    const workspace = run(threeTabs(), { type: 'activateTab', tabId: id('tab 2') });
    const closed = run(workspace, { type: 'closeBlock', blockId: id('B') });
    expect(tabNames(closed)).toEqual(['one', 'three']);
    expect(closed.activeTabId).toBe(id('tab 3'));
    const alone = start();
    expect(workspaceReducer(alone, { type: 'closeBlock', blockId: id('A') })).toBe(alone);
    expect(workspaceReducer(alone, { type: 'closeBlock', blockId: id('B') })).toBe(alone);
  });
});

describe('resize', () => {
  const twoBlocks = () => run(start(), split('A', 'B', 'right'));
  const splitIdOf = (workspace: Workspace) => {
    const { root } = layoutOf(workspace);
    return root.kind === 'split' ? root.id : '';
  };

  it('scales the new sizes to sum to 100', () => {
    const workspace = twoBlocks();
    const next = run(workspace, { type: 'resize', splitId: splitIdOf(workspace), sizes: [1, 3] });
    expect(shape(layoutOf(next).root)).toBe('row(A 25, B 75)');
  });

  it('ignores unknown splits and unusable sizes', () => {
    const workspace = twoBlocks();
    const splitId = splitIdOf(workspace);
    const bad = [[50], [40, 30, 30], [0, 100], [-10, 110], [Number.NaN, 50], [Infinity, 1]];
    for (const sizes of bad) {
      expect(workspaceReducer(workspace, { type: 'resize', splitId, sizes })).toBe(workspace);
    }
    const unknown: LayoutAction = { type: 'resize', splitId: id('nowhere'), sizes: [50, 50] };
    expect(workspaceReducer(workspace, unknown)).toBe(workspace);
    expect(workspaceReducer(workspace, { type: 'resize', splitId, sizes: [1, 1] })).toBe(workspace);
  });
});

describe('focus', () => {
  it('focuses a block and shows its tab', () => {
    const workspace = run(start(), {
      type: 'newTab',
      tabId: id('tab 2'),
      blockId: id('B'),
      name: 'two',
    });
    const next = run(workspace, { type: 'focus', blockId: id('A') });
    expect(next.activeTabId).toBe(id('tab 1'));
    expect(focused(next)).toBe('A');
    expect(workspaceReducer(next, { type: 'focus', blockId: id('A') })).toBe(next);
  });

  it('clears magnify only when another block of the tab takes focus', () => {
    const workspace = run(start(), split('A', 'B', 'right'), {
      type: 'toggleMagnify',
      blockId: id('A'),
    });
    expect(workspaceReducer(workspace, { type: 'focus', blockId: id('A') })).toBe(workspace);
    const next = run(workspace, { type: 'focus', blockId: id('B') });
    expect(layoutOf(next).magnifiedBlockId).toBeNull();
  });

  it('moves by direction to the neighbouring block, clearing magnify', () => {
    const workspace = run(start(), split('A', 'B', 'right'), split('B', 'C', 'down'));
    const left = run(workspace, { type: 'focusDirection', direction: 'left' });
    expect(focused(left)).toBe('A');
    expect(focused(run(left, { type: 'focusDirection', direction: 'right' }))).toBe('B');
    expect(workspaceReducer(left, { type: 'focusDirection', direction: 'up' })).toBe(left);
    const magnified = run(workspace, { type: 'toggleMagnify', blockId: id('C') });
    const up = run(magnified, { type: 'focusDirection', direction: 'up' });
    expect(focused(up)).toBe('B');
    expect(layoutOf(up).magnifiedBlockId).toBeNull();
  });
});

describe('toggleMagnify', () => {
  it('magnifies and focuses a block, and a second toggle clears it', () => {
    const workspace = run(start(), split('A', 'B', 'right'));
    const magnified = run(workspace, { type: 'toggleMagnify', blockId: id('A') });
    expect(layoutOf(magnified)).toMatchObject({
      focusedBlockId: id('A'),
      magnifiedBlockId: id('A'),
    });
    const cleared = run(magnified, { type: 'toggleMagnify', blockId: id('A') });
    expect(layoutOf(cleared).magnifiedBlockId).toBeNull();
  });

  it('does nothing in a tab of one block or for an unknown block', () => {
    const workspace = start();
    expect(workspaceReducer(workspace, { type: 'toggleMagnify', blockId: id('A') })).toBe(
      workspace,
    );
    expect(workspaceReducer(workspace, { type: 'toggleMagnify', blockId: id('Z') })).toBe(
      workspace,
    );
  });
});

describe('limits', () => {
  it('refuses a split that would nest deeper than the limit', () => {
    let workspace = start();
    let last = 'A';
    for (let level = 1; level <= LAYOUT_LIMITS.depth; level++) {
      workspace = run(workspace, split(last, `deep ${level}`, level % 2 ? 'right' : 'down'));
      last = `deep ${level}`;
    }
    expect(tabBlockIds(activeTab(workspace))).toHaveLength(LAYOUT_LIMITS.depth + 1);
    const deeper = split(last, 'too deep', LAYOUT_LIMITS.depth % 2 ? 'down' : 'right');
    expect(workspaceReducer(workspace, deeper)).toBe(workspace);
    // Joining the deepest split adds no level, so it is still allowed.
    const beside = run(
      workspace,
      split(last, 'beside', LAYOUT_LIMITS.depth % 2 ? 'right' : 'down'),
    );
    expect(tabBlockIds(activeTab(beside))).toContain(id('beside'));
  });

  it('refuses more blocks in a tab, or more tabs, than the limits', () => {
    let workspace = start();
    for (let count = 2; count <= LAYOUT_LIMITS.blocksPerTab; count++) {
      // Splitting heap-style keeps one flat row whose shares never halve away to nothing.
      const target = count < 4 ? 'A' : `many ${Math.floor(count / 2)}`;
      workspace = run(workspace, split(target, `many ${count}`, 'right'));
    }
    expect(tabBlockIds(activeTab(workspace))).toHaveLength(LAYOUT_LIMITS.blocksPerTab);
    expect(workspaceReducer(workspace, split('A', 'one too many', 'right'))).toBe(workspace);
    for (let count = 2; count <= LAYOUT_LIMITS.tabs; count++) {
      const tabId = id(`tab ${count}`);
      workspace = run(workspace, { type: 'newTab', tabId, blockId: id(`B${count}`), name: 'x' });
    }
    expect(workspace.tabs).toHaveLength(LAYOUT_LIMITS.tabs);
    const extra: LayoutAction = { type: 'newTab', tabId: id('extra'), blockId: id('X'), name: 'x' };
    expect(workspaceReducer(workspace, extra)).toBe(workspace);
  });
});

describe('queries', () => {
  it('finds blocks and their tabs', () => {
    const workspace = run(start(), split('A', 'B', 'down'), {
      type: 'newTab',
      tabId: id('tab 2'),
      blockId: id('C'),
      name: 'two',
    });
    expect(workspaceBlockIds(workspace)).toEqual([id('A'), id('B'), id('C')]);
    expect(findBlockTab(workspace, id('B'))?.id).toBe(id('tab 1'));
    expect(findBlockTab(workspace, id('Z'))).toBeUndefined();
    expect(tabBlockIds(activeTab(workspace))).toEqual([id('C')]);
  });
});
