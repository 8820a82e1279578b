/**
 * repairWorkspace on rows a database could hold, including ones no version of
 * Tether writes (the file may have been edited, or damaged).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BlockRow, TabRow } from '../../db/schema';
import { LAYOUT_LIMITS, LAYOUT_VERSION, leafIds, parseWorkspace } from '../../preload/layout';
import { repairWorkspace, singleBlockLayout } from './repair-workspace';

function row(name: string, blockId = randomUUID(), overrides: Partial<TabRow> = {}): TabRow {
  return {
    id: randomUUID(),
    position: 0,
    name,
    layout: JSON.stringify(singleBlockLayout(blockId)),
    layoutVersion: LAYOUT_VERSION,
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

function block(id: string, createdAt = 1): BlockRow {
  return { id, connection: 'local', createdAt, updatedAt: createdAt, sessionId: null };
}

describe('repairWorkspace', () => {
  it('leaves a sound workspace alone', () => {
    const tabs = [row('One'), row('Two')];
    const result = repairWorkspace({ tabs, activeTabId: tabs[1]!.id, blocks: [] });
    expect(result).toEqual({
      workspace: {
        tabs: tabs.map((tab) => ({ id: tab.id, name: tab.name, layout: JSON.parse(tab.layout) })),
        activeTabId: tabs[1]!.id,
      },
      warnings: [],
      notes: [],
      changed: false,
    });
  });

  it('makes one tab when there are none, keeping the oldest block', () => {
    const older = randomUUID();
    const result = repairWorkspace({
      tabs: [],
      activeTabId: undefined,
      blocks: [block(older, 1), block(randomUUID(), 2)],
    });
    expect(result.changed).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.workspace.tabs).toMatchObject([
      { name: 'Tab 1', layout: singleBlockLayout(older) },
    ]);
    expect(result.workspace.activeTabId).toBe(result.workspace.tabs[0]!.id);
  });

  it('does not reuse an old block whose id a layout cannot hold', () => {
    const result = repairWorkspace({
      tabs: [],
      activeTabId: undefined,
      blocks: [block('block-1')],
    });
    const [blockId] = leafIds(result.workspace.tabs[0]!.layout.root);
    expect(blockId).not.toBe('block-1');
    expect(parseWorkspace(result.workspace).ok).toBe(true);
  });

  it('gives a tab with an unusable or repeated id a fresh one, quietly', () => {
    const first = row('First');
    const repeated = row('Repeated', randomUUID(), { id: first.id });
    const odd = row('Odd', randomUUID(), { id: 'not-a-uuid' });
    const result = repairWorkspace({
      tabs: [first, repeated, odd],
      activeTabId: first.id,
      blocks: [],
    });
    const ids = result.workspace.tabs.map((tab) => tab.id);
    expect(ids[0]).toBe(first.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids).not.toContain('not-a-uuid');
    expect(result.workspace.tabs.map((tab) => tab.name)).toEqual(['First', 'Repeated', 'Odd']);
    expect(result.warnings).toEqual([]);
    expect(result.notes).toHaveLength(2);
    expect(result.changed).toBe(true);
  });

  it('reads values of the wrong type as damage, not as a crash', () => {
    const weird = {
      ...row('x'),
      name: 42,
      layout: Buffer.from('{}'),
    } as unknown as TabRow;
    const result = repairWorkspace({ tabs: [weird], activeTabId: 7, blocks: [] });
    expect(result.warnings).toEqual([
      `A tab's name could not be read; it was renamed "Tab 1".`,
      'The layout of tab "Tab 1" could not be read (the stored data is not text); it was reset to one terminal.',
    ]);
    expect(parseWorkspace(result.workspace).ok).toBe(true);
  });

  it(`keeps the first ${LAYOUT_LIMITS.tabs} tabs of too many`, () => {
    const tabs = Array.from({ length: LAYOUT_LIMITS.tabs + 3 }, (_, index) => row(`T${index}`));
    const result = repairWorkspace({ tabs, activeTabId: tabs[0]!.id, blocks: [] });
    expect(result.workspace.tabs.map((tab) => tab.id)).toEqual(
      tabs.slice(0, LAYOUT_LIMITS.tabs).map((tab) => tab.id),
    );
    expect(result.warnings).toEqual([
      `Only ${LAYOUT_LIMITS.tabs} tabs can be open; the last 3 could not be shown and were closed.`,
    ]);
  });

  it('falls back to the first tab, noting an active tab that is set but unknown', () => {
    const tabs = [row('One'), row('Two')];
    const unset = repairWorkspace({ tabs, activeTabId: undefined, blocks: [] });
    expect(unset.workspace.activeTabId).toBe(tabs[0]!.id);
    expect(unset.notes).toEqual([]);
    const unknown = repairWorkspace({ tabs, activeTabId: randomUUID(), blocks: [] });
    expect(unknown.workspace.activeTabId).toBe(tabs[0]!.id);
    expect(unknown.notes).toHaveLength(1);
    expect(unknown.changed).toBe(true);
  });
});
