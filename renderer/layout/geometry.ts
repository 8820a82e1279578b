/**
 * Where a tab's blocks and dividers sit, in percent of the tab area, and the
 * arithmetic behind moving focus between blocks and dragging dividers. Percent
 * rather than pixels keeps it pure: the component scales to its own size.
 */
import type { LayoutNode, LayoutSplit, SplitDirection } from '../../preload/layout';

/** Percent (0..100) of the tab area. */
export type Rect = { x: number; y: number; w: number; h: number };

/**
 * The boundary between children `index` and `index + 1` of a split: a
 * zero-thickness line (w = 0 in a row, h = 0 in a column) spanning the split.
 */
export type Divider = { splitId: string; index: number; direction: SplitDirection; rect: Rect };

export type FocusDirection = 'left' | 'right' | 'up' | 'down';

/** Rects closer than this count as touching; float rounding makes exact edges unreliable. */
const EPSILON = 1e-6;

const WHOLE: Rect = { x: 0, y: 0, w: 100, h: 100 };

/** Each block's rect, by block id. */
export function leafRects(root: LayoutNode): Map<string, Rect> {
  const rects = new Map<string, Rect>();
  walk(root, WHOLE, (node, rect) => {
    if (node.kind === 'leaf') rects.set(node.blockId, rect);
  });
  return rects;
}

/** Each split's rect, by split id. */
export function splitRects(root: LayoutNode): Map<string, Rect> {
  const rects = new Map<string, Rect>();
  walk(root, WHOLE, (node, rect) => {
    if (node.kind === 'split') rects.set(node.id, rect);
  });
  return rects;
}

/** Every divider, parents' before their children's. */
export function dividers(root: LayoutNode): Divider[] {
  const found: Divider[] = [];
  walk(root, WHOLE, (node, rect) => {
    if (node.kind === 'leaf') return;
    const edges = childEdges(node, node.direction === 'row' ? rect.w : rect.h);
    for (let index = 0; index < node.children.length - 1; index++) {
      const at = edges[index + 1] ?? 0;
      found.push({
        splitId: node.id,
        index,
        direction: node.direction,
        rect:
          node.direction === 'row'
            ? { x: rect.x + at, y: rect.y, w: 0, h: rect.h }
            : { x: rect.x, y: rect.y + at, w: rect.w, h: 0 },
      });
    }
  });
  return found;
}

/**
 * The block that focus moves to from `fromBlockId`: among the blocks lying
 * wholly on that side and sharing some of its edge, the nearest; on a tie the
 * one sharing more edge, then the one more nearly in line. Null if none.
 */
export function neighbour(
  root: LayoutNode,
  fromBlockId: string,
  direction: FocusDirection,
): string | null {
  const rects = leafRects(root);
  const from = rects.get(fromBlockId);
  if (!from) return null;
  let best: { blockId: string; gap: number; overlap: number; offset: number } | null = null;
  for (const [blockId, rect] of rects) {
    if (blockId === fromBlockId) continue;
    const gap = gapBetween(from, rect, direction);
    const overlap = sideOverlap(from, rect, direction);
    if (gap < -EPSILON || overlap <= EPSILON) continue;
    const candidate = { blockId, gap, overlap, offset: centreOffset(from, rect, direction) };
    if (!best || closer(candidate, best)) best = candidate;
  }
  return best?.blockId ?? null;
}

/**
 * The least extent a node can shrink to along an axis when every leaf needs
 * `leafMin`: children side by side along the axis add up, children across it
 * need only as much as the largest.
 */
export function minExtent(node: LayoutNode, axis: 'x' | 'y', leafMin: number): number {
  if (node.kind === 'leaf') return leafMin;
  const extents = node.children.map((child) => minExtent(child, axis, leafMin));
  const along = (node.direction === 'row') === (axis === 'x');
  return along ? extents.reduce((sum, extent) => sum + extent, 0) : Math.max(...extents);
}

/**
 * Sizes after dragging the divider between children `index` and `index + 1`
 * by `deltaPercent` of the split's extent. Only those two change, each stopping
 * at its minimum; if both minimums do not fit, nothing moves. Sums to 100.
 */
export function dragSizes(
  sizes: readonly number[],
  index: number,
  deltaPercent: number,
  minPercents: readonly number[],
): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const next = sizes.map((size) => (size * 100) / total);
  const first = next[index];
  const second = next[index + 1];
  if (first === undefined || second === undefined || !Number.isFinite(deltaPercent)) return next;
  const pair = first + second;
  const firstMin = minPercents[index] ?? 0;
  const secondMin = minPercents[index + 1] ?? 0;
  if (firstMin + secondMin > pair) return next;
  const moved = Math.min(Math.max(first + deltaPercent, firstMin), pair - secondMin);
  next[index] = moved;
  next[index + 1] = pair - moved;
  return next;
}

function walk(node: LayoutNode, rect: Rect, visit: (node: LayoutNode, rect: Rect) => void): void {
  visit(node, rect);
  if (node.kind === 'leaf') return;
  const row = node.direction === 'row';
  const edges = childEdges(node, row ? rect.w : rect.h);
  node.children.forEach((child, index) => {
    const start = edges[index] ?? 0;
    const extent = (edges[index + 1] ?? 0) - start;
    walk(
      child,
      row
        ? { x: rect.x + start, y: rect.y, w: extent, h: rect.h }
        : { x: rect.x, y: rect.y + start, w: rect.w, h: extent },
      visit,
    );
  });
}

/**
 * Offsets of the children's boundaries along a split, from 0 to `extent`.
 * Neighbours share one computed edge and the last ends exactly at `extent`,
 * so the children tile the split with no float gaps or overlaps.
 */
function childEdges(split: LayoutSplit, extent: number): number[] {
  const total = split.sizes.reduce((sum, size) => sum + size, 0);
  const edges = [0];
  let covered = 0;
  split.sizes.forEach((size, index) => {
    covered += size;
    edges.push(index === split.sizes.length - 1 ? extent : (extent * covered) / total);
  });
  return edges;
}

function gapBetween(from: Rect, to: Rect, direction: FocusDirection): number {
  switch (direction) {
    case 'right':
      return to.x - (from.x + from.w);
    case 'left':
      return from.x - (to.x + to.w);
    case 'down':
      return to.y - (from.y + from.h);
    case 'up':
      return from.y - (to.y + to.h);
  }
}

/** How much of `from`'s edge on that side `to` faces. */
function sideOverlap(from: Rect, to: Rect, direction: FocusDirection): number {
  if (direction === 'left' || direction === 'right') {
    return Math.min(from.y + from.h, to.y + to.h) - Math.max(from.y, to.y);
  }
  return Math.min(from.x + from.w, to.x + to.w) - Math.max(from.x, to.x);
}

/** Distance between the centres across the direction of travel. */
function centreOffset(from: Rect, to: Rect, direction: FocusDirection): number {
  if (direction === 'left' || direction === 'right') {
    return Math.abs(from.y + from.h / 2 - (to.y + to.h / 2));
  }
  return Math.abs(from.x + from.w / 2 - (to.x + to.w / 2));
}

type Candidate = { gap: number; overlap: number; offset: number };

function closer(candidate: Candidate, best: Candidate): boolean {
  if (Math.abs(candidate.gap - best.gap) > EPSILON) return candidate.gap < best.gap;
  if (Math.abs(candidate.overlap - best.overlap) > EPSILON) return candidate.overlap > best.overlap;
  return candidate.offset < best.offset - EPSILON;
}
