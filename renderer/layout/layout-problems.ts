/**
 * Everything that must hold of a workspace after any action, as a list of
 * readable problems (empty when sound). Stricter than parseWorkspace, which
 * accepts what a client may send: this also demands the normal form the
 * reducer keeps. Used by the reducer's property tests.
 */
import { leafIds, parseWorkspace, type LayoutNode, type Workspace } from '../../preload/layout';

const SUM_TOLERANCE = 1e-6;

export function layoutProblems(workspace: Workspace): string[] {
  const problems: string[] = [];
  const parsed = parseWorkspace(workspace);
  if (!parsed.ok) problems.push(parsed.reason);
  const seen = new Set<string>();
  const note = (id: string): void => {
    if (seen.has(id)) problems.push(`id ${id} is used twice`);
    seen.add(id);
  };
  for (const tab of workspace.tabs) {
    note(tab.id);
    const { root, focusedBlockId, magnifiedBlockId } = tab.layout;
    nodeProblems(root, null, note, problems);
    const leaves = leafIds(root);
    if (!leaves.includes(focusedBlockId)) {
      problems.push(`tab ${tab.id} focuses ${focusedBlockId}, which it does not hold`);
    }
    if (magnifiedBlockId !== null && !leaves.includes(magnifiedBlockId)) {
      problems.push(`tab ${tab.id} magnifies ${magnifiedBlockId}, which it does not hold`);
    }
  }
  if (!workspace.tabs.some((tab) => tab.id === workspace.activeTabId)) {
    problems.push(`the active tab ${workspace.activeTabId} does not exist`);
  }
  return problems;
}

function nodeProblems(
  node: LayoutNode,
  parentDirection: string | null,
  note: (id: string) => void,
  problems: string[],
): void {
  if (node.kind === 'leaf') {
    note(node.blockId);
    return;
  }
  note(node.id);
  const { id, children, sizes } = node;
  if (children.length < 2) problems.push(`split ${id} has ${children.length} children`);
  if (sizes.length !== children.length) problems.push(`split ${id} has ${sizes.length} sizes`);
  if (!sizes.every((size) => size > 0))
    problems.push(`split ${id} has a size that is not positive`);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (!(Math.abs(total - 100) <= SUM_TOLERANCE)) problems.push(`split ${id} sums to ${total}`);
  if (node.direction === parentDirection) {
    problems.push(`split ${id} is a ${node.direction} directly inside a ${parentDirection}`);
  }
  for (const child of children) nodeProblems(child, node.direction, note, problems);
}
