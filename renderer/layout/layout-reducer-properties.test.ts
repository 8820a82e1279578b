import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../preload/layout';
import { layoutProblems } from './layout-problems';
import {
  findBlockTab,
  singleBlockWorkspace,
  workspaceBlockIds,
  workspaceReducer,
  type LayoutAction,
} from './layout-reducer';
import { findSplit, splitIds } from './layout-tree';

/**
 * One random step, turned into an action against whatever the state is by
 * then: ids come from the state most of the time, and `wild` sometimes swaps
 * in an unknown uuid or a malformed value instead.
 */
const stepArbitrary = fc.record({
  kind: fc.nat(15),
  pick: fc.nat(),
  wild: fc.nat(19),
  fresh: fc.uuid(),
  otherFresh: fc.uuid(),
  number: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -3, max: 8 }) },
    { weight: 1, arbitrary: fc.double() },
  ),
  weights: fc.array(fc.double({ min: 0.5, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }),
  badSizes: fc.array(fc.constantFrom(0, -1, Number.NaN, Infinity, 50), { maxLength: 6 }),
  name: fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('', '  ', 'a\u0007b', ' logs ')),
  side: fc.constantFrom('right', 'down', 'left', 'up'),
});
type Step = typeof stepArbitrary extends fc.Arbitrary<infer T> ? T : never;

function allSplitIds(workspace: Workspace): string[] {
  return workspace.tabs.flatMap((tab) => splitIds(tab.layout.root));
}

function actionFor(workspace: Workspace, step: Step): LayoutAction {
  const choose = (ids: string[]): string => {
    if (step.wild === 0) return step.fresh;
    if (step.wild === 1) return 'not-a-uuid';
    return ids[step.pick % ids.length] ?? step.fresh;
  };
  const tab = () => choose(workspace.tabs.map((each) => each.id));
  const block = () => choose(workspaceBlockIds(workspace));
  // A fresh id, except now and then one already in use.
  const fresh = (id: string) => (step.wild === 2 ? block() : id);
  switch (step.kind) {
    case 0:
      return {
        type: 'newTab',
        tabId: fresh(step.fresh),
        blockId: step.otherFresh,
        name: step.name,
      };
    case 1:
      return { type: 'closeTab', tabId: tab() };
    case 2:
      return { type: 'renameTab', tabId: tab(), name: step.name };
    case 3:
      return { type: 'moveTab', tabId: tab(), toIndex: step.number };
    case 4:
      return { type: 'activateTab', tabId: tab() };
    case 5:
      return { type: 'cycleTab', delta: step.number };
    case 6:
      return { type: 'activateTabAt', index: step.number };
    case 7:
    case 8:
    case 9:
      return {
        type: 'split',
        blockId: block(),
        newBlockId: fresh(step.fresh),
        splitId: step.wild === 3 ? choose(allSplitIds(workspace)) : step.otherFresh,
        direction: step.side === 'right' || step.side === 'left' ? 'right' : 'down',
      };
    case 10:
    case 11:
      return { type: 'closeBlock', blockId: block() };
    case 12: {
      const splitId = choose(allSplitIds(workspace));
      const split = workspace.tabs
        .map((each) => findSplit(each.layout.root, splitId))
        .find(Boolean);
      const count = split?.children.length ?? 2;
      const sizes =
        step.wild < 4
          ? step.badSizes
          : Array.from(
              { length: count },
              (_, index) => step.weights[index % step.weights.length] ?? 1,
            );
      return { type: 'resize', splitId, sizes };
    }
    case 13:
      return { type: 'focus', blockId: block() };
    case 14:
      return { type: 'focusDirection', direction: step.side };
    default:
      return { type: 'toggleMagnify', blockId: block() };
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** What must be true of an action that changed the workspace. */
function expectEffect(before: Workspace, action: LayoutAction, after: Workspace): void {
  switch (action.type) {
    case 'split':
      expect(findBlockTab(after, action.newBlockId)?.layout.focusedBlockId).toBe(action.newBlockId);
      expect(workspaceBlockIds(after)).toHaveLength(workspaceBlockIds(before).length + 1);
      break;
    case 'closeBlock':
      expect(workspaceBlockIds(after)).not.toContain(action.blockId);
      break;
    case 'focus':
      expect(findBlockTab(after, action.blockId)?.id).toBe(after.activeTabId);
      expect(findBlockTab(after, action.blockId)?.layout.focusedBlockId).toBe(action.blockId);
      break;
    case 'closeTab':
      expect(after.tabs.map((tab) => tab.id)).not.toContain(action.tabId);
      break;
    default:
      break;
  }
}

describe('workspaceReducer under random actions', () => {
  it('keeps every invariant, never mutates its input, and returns the input for no-ops', () => {
    const start = fc.tuple(fc.uuid(), fc.uuid()).filter(([tabId, blockId]) => tabId !== blockId);
    fc.assert(
      fc.property(
        start,
        fc.array(stepArbitrary, { maxLength: 60, size: 'max' }),
        ([tabId, blockId], steps) => {
          let workspace = deepFreeze(singleBlockWorkspace(tabId, blockId, 'first'));
          expect(layoutProblems(workspace)).toEqual([]);
          for (const step of steps) {
            const action = actionFor(workspace, step);
            const snapshot = JSON.stringify(workspace);
            const next = workspaceReducer(workspace, action);
            // Plain comparisons first: expect() on every one of ~18,000 steps triples the run time.
            const problems = layoutProblems(next);
            if (problems.length > 0) expect(problems, JSON.stringify(action)).toEqual([]);
            const after = JSON.stringify(workspace);
            if (after !== snapshot) expect(after, 'the input was changed').toBe(snapshot);
            // A new object always means a real change, so callers can trust identity.
            if (next !== workspace) {
              expect(JSON.stringify(next)).not.toBe(snapshot);
              expectEffect(workspace, action, next);
            }
            workspace = deepFreeze(next);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
