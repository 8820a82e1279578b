/**
 * Changes to one tab's split tree, each returning a new tree and keeping it
 * normalised: every split has two or more children, its sizes are positive
 * percents summing to 100, and no split directly holds a split of its own
 * direction. A nested same-direction split draws exactly like a flat one, so
 * allowing it would give one picture two trees whose dividers and "split right"
 * behave differently depending on history.
 */
import {
  LAYOUT_LIMITS,
  leafIds,
  type LayoutLeaf,
  type LayoutNode,
  type LayoutSplit,
  type SplitDirection,
} from '../../preload/layout';

/** Where a node sits: its parent split (null for the root), its index there and its depth. */
type Place = { node: LayoutNode; parent: LayoutSplit | null; index: number; depth: number };

/** Every split id in a tree, parents before children. */
export function splitIds(node: LayoutNode): string[] {
  if (node.kind === 'leaf') return [];
  return [node.id, ...node.children.flatMap(splitIds)];
}

/** Every id a tree uses: its block ids and its split ids. */
export function nodeIds(node: LayoutNode): string[] {
  return [...leafIds(node), ...splitIds(node)];
}

export function findSplit(root: LayoutNode, splitId: string): LayoutSplit | undefined {
  const place = locate(root, (node) => node.kind === 'split' && node.id === splitId);
  return place?.node.kind === 'split' ? place.node : undefined;
}

/**
 * Puts a new leaf right of (`row`) or below (`column`) a block. Inside a split
 * of that direction the leaf joins it and halves the block's share, as in
 * iTerm2 and VS Code; otherwise the block becomes a 50/50 split with id
 * `splitId`. Undefined if the block is missing, the tree would get too deep,
 * or the block's share is too small to halve.
 */
export function splitBlock(
  root: LayoutNode,
  blockId: string,
  newBlockId: string,
  splitId: string,
  direction: SplitDirection,
): LayoutNode | undefined {
  const place = locateLeaf(root, blockId);
  if (!place) return undefined;
  const leaf: LayoutLeaf = { kind: 'leaf', blockId: newBlockId };
  const { parent, index } = place;
  if (parent && parent.direction === direction) {
    const half = (parent.sizes[index] ?? 0) / 2;
    if (!(half > 0)) return undefined;
    return replaceNode(root, parent, {
      ...parent,
      children: [...parent.children.slice(0, index + 1), leaf, ...parent.children.slice(index + 1)],
      sizes: normalise([
        ...parent.sizes.slice(0, index),
        half,
        half,
        ...parent.sizes.slice(index + 1),
      ]),
    });
  }
  if (place.depth + 1 > LAYOUT_LIMITS.depth) return undefined;
  const split: LayoutSplit = {
    kind: 'split',
    id: splitId,
    direction,
    children: [place.node, leaf],
    sizes: [50, 50],
  };
  return replaceNode(root, place.node, split);
}

/**
 * Takes a block out of the tree. Its share goes to the previous sibling (else
 * the next), and `heir` is that sibling's leaf nearest the gap, where focus
 * belongs next. Undefined if the block is missing or is the whole tree.
 */
export function removeBlock(
  root: LayoutNode,
  blockId: string,
): { root: LayoutNode; heir: string } | undefined {
  const place = locateLeaf(root, blockId);
  if (!place?.parent) return undefined;
  const { parent, index } = place;
  const recipient = index > 0 ? index - 1 : index + 1;
  const recipientLeaves = leafIds(parent.children[recipient] ?? place.node);
  const heir = (index > 0 ? recipientLeaves.at(-1) : recipientLeaves[0]) ?? blockId;
  const freed = parent.sizes[index] ?? 0;
  const children = parent.children.filter((_, child) => child !== index);
  const sizes = parent.sizes
    .map((size, child) => (child === recipient ? size + freed : size))
    .filter((_, child) => child !== index);
  if (children.length >= 2) {
    return {
      root: replaceNode(root, parent, { ...parent, children, sizes: normalise(sizes) }),
      heir,
    };
  }
  return { root: collapse(root, parent, children[0] ?? place.node), heir };
}

/**
 * Replaces the sizes of a split, scaled to sum to 100. Undefined if the split
 * is missing or the sizes are the wrong count or not all finite and positive;
 * the same tree if nothing changes.
 */
export function resizeSplit(
  root: LayoutNode,
  splitId: string,
  sizes: readonly number[],
): LayoutNode | undefined {
  const split = findSplit(root, splitId);
  if (!split || sizes.length !== split.children.length) return undefined;
  if (!sizes.every((size) => Number.isFinite(size) && size > 0)) return undefined;
  const scaled = normalise(sizes);
  // Sizes near the float limits can overflow or vanish when scaled.
  if (!scaled.every((size) => Number.isFinite(size) && size > 0)) return undefined;
  if (scaled.every((size, child) => size === split.sizes[child])) return root;
  return replaceNode(root, split, { ...split, sizes: scaled });
}

/** Scales sizes to sum to 100, so rounding never accumulates across edits. */
export function normalise(sizes: readonly number[]): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return sizes.map((size) => (size * 100) / total);
}

/**
 * A split left with one child is replaced by that child. If the child is a
 * split it has the direction opposite its old parent, which is the direction
 * of the grandparent, so its children join the grandparent directly.
 */
function collapse(root: LayoutNode, parent: LayoutSplit, only: LayoutNode): LayoutNode {
  const grand = locate(root, (node) => node === parent);
  const grandparent = grand?.parent;
  if (!grand || !grandparent) return replaceNode(root, parent, only);
  if (only.kind === 'leaf' || only.direction !== grandparent.direction) {
    return replaceNode(root, parent, only);
  }
  const at = grand.index;
  const share = (grandparent.sizes[at] ?? 0) / 100;
  return replaceNode(root, grandparent, {
    ...grandparent,
    children: [
      ...grandparent.children.slice(0, at),
      ...only.children,
      ...grandparent.children.slice(at + 1),
    ],
    sizes: normalise([
      ...grandparent.sizes.slice(0, at),
      ...only.sizes.map((size) => size * share),
      ...grandparent.sizes.slice(at + 1),
    ]),
  });
}

function locateLeaf(root: LayoutNode, blockId: string): Place | undefined {
  return locate(root, (node) => node.kind === 'leaf' && node.blockId === blockId);
}

function locate(root: LayoutNode, match: (node: LayoutNode) => boolean): Place | undefined {
  const visit = (
    node: LayoutNode,
    parent: LayoutSplit | null,
    index: number,
    depth: number,
  ): Place | undefined => {
    if (match(node)) return { node, parent, index, depth };
    if (node.kind === 'leaf') return undefined;
    for (const [child, childNode] of node.children.entries()) {
      const found = visit(childNode, node, child, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return visit(root, null, -1, 0);
}

/** Swaps one node (found by identity) for another, sharing every untouched subtree. */
function replaceNode(node: LayoutNode, old: LayoutNode, replacement: LayoutNode): LayoutNode {
  if (node === old) return replacement;
  if (node.kind === 'leaf') return node;
  let changed = false;
  const children = node.children.map((child) => {
    const next = replaceNode(child, old, replacement);
    if (next !== child) changed = true;
    return next;
  });
  return changed ? { ...node, children } : node;
}
