/**
 * Turns whatever the database holds into a workspace that can be shown. A tab
 * whose layout cannot be read (damaged JSON, another layout version, a tree
 * the validator refuses, terminals another tab already shows) is reset to one
 * new terminal; an unknown active tab falls back to the first; no tabs at all
 * (first run, or a database from before tabs) becomes one. Pure: it says what
 * changed, the workspace store writes it back.
 */
import { randomUUID } from 'node:crypto';
import type { BlockRow, TabRow } from '../../db/schema';
import {
  LAYOUT_LIMITS,
  LAYOUT_VERSION,
  leafIds,
  nameProblem,
  repairName,
  parseTab,
  parseTabLayout,
  parseWorkspace,
  type Parsed,
  type Tab,
  type TabLayout,
  type Workspace,
} from '../../preload/layout';

export type StoredWorkspace = {
  /** In tab-bar order. */
  tabs: readonly TabRow[];
  /** Unchecked: whatever the settings row holds. */
  activeTabId: unknown;
  /** Oldest first. */
  blocks: readonly BlockRow[];
};

export type RepairedWorkspace = {
  workspace: Workspace;
  /** One sentence per repair the user should hear about. */
  warnings: string[];
  /** Repairs worth a log line but not the user's attention. */
  notes: string[];
  /** The tabs or the active tab differ from what is stored, so they must be written back. */
  changed: boolean;
};

/** Any valid uuid, to ask the validator about one field at a time. */
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/** A layout of one terminal. */
export function singleBlockLayout(blockId: string): TabLayout {
  return { root: { kind: 'leaf', blockId }, focusedBlockId: blockId, magnifiedBlockId: null };
}

export function repairWorkspace(stored: StoredWorkspace): RepairedWorkspace {
  const warnings: string[] = [];
  const notes: string[] = [];
  let changed = false;
  const tabs: Tab[] = [];
  const tabIds = new Set<string>();
  const shown = new Set<string>();

  const rows = stored.tabs.slice(0, LAYOUT_LIMITS.tabs);
  if (stored.tabs.length > rows.length) {
    const dropped = stored.tabs.length - rows.length;
    warnings.push(
      `Only ${LAYOUT_LIMITS.tabs} tabs can be open; the last ${dropped} could not be shown and were closed.`,
    );
    changed = true;
  }
  rows.forEach((row, index) => {
    let id: string = row.id;
    if (!isUsableTabId(row.id) || tabIds.has(row.id)) {
      id = randomUUID();
      notes.push(`tab row ${String(row.id)} had an unusable id; it is now ${id}`);
      changed = true;
    }
    let name: string = row.name;
    if (typeof row.name !== 'string' || nameProblem(row.name) !== null) {
      // A name kept before the name rule keeps what can be shown of it.
      const repaired = typeof row.name === 'string' ? repairName(row.name) : null;
      name = repaired ?? `Tab ${index + 1}`;
      warnings.push(
        repaired
          ? `A tab's name held characters that cannot be shown; it is now "${name}".`
          : `A tab's name could not be read; it was renamed "${name}".`,
      );
      changed = true;
    }
    let layout = readLayout(row, shown);
    if (!layout.ok) {
      warnings.push(
        `The layout of tab "${name}" could not be read (${layout.reason}); it was reset to one terminal.`,
      );
      layout = { ok: true, value: singleBlockLayout(randomUUID()) };
      changed = true;
    }
    for (const blockId of leafIds(layout.value.root)) shown.add(blockId);
    tabIds.add(id);
    tabs.push({ id, name, layout: layout.value });
  });

  if (tabs.length === 0) {
    // A database from before tabs keeps its terminal: the oldest block becomes the first tab.
    const oldest = stored.blocks[0]?.id;
    const blockId = oldest !== undefined && isUsableBlockId(oldest) ? oldest : randomUUID();
    tabs.push({ id: randomUUID(), name: 'Tab 1', layout: singleBlockLayout(blockId) });
    changed = true;
  }

  let activeTabId = stored.activeTabId;
  if (typeof activeTabId !== 'string' || !tabIds.has(activeTabId)) {
    if (activeTabId !== undefined) notes.push('the active tab is unknown; showing the first tab');
    activeTabId = tabs[0]!.id;
    changed = true;
  }

  const workspace = { tabs, activeTabId: activeTabId as string };
  // Every step above keeps the workspace valid; this guards the promise that load never fails.
  const check = parseWorkspace(workspace);
  if (!check.ok) return startOver(check.reason);
  return { workspace: check.value, warnings, notes, changed };
}

/** A row's layout, or why it cannot be used. Leaves shown by an earlier tab are refused. */
function readLayout(row: TabRow, shown: ReadonlySet<string>): Parsed<TabLayout> {
  if (row.layoutVersion !== LAYOUT_VERSION) {
    return fail(
      `it is stored in layout format ${String(row.layoutVersion)}, not ${LAYOUT_VERSION}`,
    );
  }
  if (typeof row.layout !== 'string') return fail('the stored data is not text');
  let json: unknown;
  try {
    json = JSON.parse(row.layout);
  } catch {
    return fail('the stored data is not valid JSON');
  }
  const layout = parseTabLayout(json);
  if (!layout.ok) return layout;
  if (leafIds(layout.value.root).some((blockId) => shown.has(blockId))) {
    return fail('it shows a terminal that an earlier tab also shows');
  }
  return layout;
}

function startOver(reason: string): RepairedWorkspace {
  const tab = { id: randomUUID(), name: 'Tab 1', layout: singleBlockLayout(randomUUID()) };
  return {
    workspace: { tabs: [tab], activeTabId: tab.id },
    warnings: [`The saved tabs could not be read (${reason}); they were reset to one terminal.`],
    notes: [],
    changed: true,
  };
}

function isUsableTabId(id: unknown): id is string {
  return parseTab({ id, name: 'Tab', layout: singleBlockLayout(PLACEHOLDER_ID) }).ok;
}

function isUsableBlockId(id: string): boolean {
  return parseTabLayout(singleBlockLayout(id)).ok;
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
