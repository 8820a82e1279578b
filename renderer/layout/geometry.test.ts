import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayoutNode, SplitDirection } from '../../preload/layout';
import {
  dividers,
  dragSizes,
  leafRects,
  minExtent,
  neighbour,
  splitRects,
  type FocusDirection,
  type Rect,
} from './geometry';

const leaf = (blockId: string): LayoutNode => ({ kind: 'leaf', blockId });
function split(
  direction: SplitDirection,
  id: string,
  ...children: [LayoutNode, number][]
): LayoutNode {
  return {
    kind: 'split',
    id,
    direction,
    children: children.map(([child]) => child),
    sizes: children.map(([, size]) => size),
  };
}

// A | B over C, the right column three quarters wide.
const sample = split(
  'row',
  'outer',
  [leaf('A'), 25],
  [split('column', 'inner', [leaf('B'), 40], [leaf('C'), 60]), 75],
);

describe('rects and dividers', () => {
  it('places each block and split in percent of the tab', () => {
    expect(Object.fromEntries(leafRects(sample))).toEqual({
      A: { x: 0, y: 0, w: 25, h: 100 },
      B: { x: 25, y: 0, w: 75, h: 40 },
      C: { x: 25, y: 40, w: 75, h: 60 },
    });
    expect(Object.fromEntries(splitRects(sample))).toEqual({
      outer: { x: 0, y: 0, w: 100, h: 100 },
      inner: { x: 25, y: 0, w: 75, h: 100 },
    });
    expect(leafRects(leaf('A')).get('A')).toEqual({ x: 0, y: 0, w: 100, h: 100 });
  });

  it('draws a zero-thickness divider across the split between each pair of children', () => {
    expect(dividers(sample)).toEqual([
      { splitId: 'outer', index: 0, direction: 'row', rect: { x: 25, y: 0, w: 0, h: 100 } },
      { splitId: 'inner', index: 0, direction: 'column', rect: { x: 25, y: 40, w: 75, h: 0 } },
    ]);
    expect(dividers(leaf('A'))).toEqual([]);
  });
});

describe('neighbour', () => {
  it('moves to the adjacent block on that side, or nowhere at the edge', () => {
    // C shares more of A's edge than B does.
    expect(neighbour(sample, 'A', 'right')).toBe('C');
    expect(neighbour(sample, 'C', 'left')).toBe('A');
    expect(neighbour(sample, 'C', 'up')).toBe('B');
    expect(neighbour(sample, 'B', 'down')).toBe('C');
    expect(neighbour(sample, 'A', 'left')).toBeNull();
    expect(neighbour(sample, 'A', 'up')).toBeNull();
    expect(neighbour(sample, 'Z', 'up')).toBeNull();
  });

  it('prefers the block sharing more edge, then the one more nearly in line', () => {
    const tall = split(
      'row',
      'r',
      [leaf('A'), 50],
      [split('column', 'c', [leaf('B'), 30], [leaf('C'), 70]), 50],
    );
    expect(neighbour(tall, 'A', 'right')).toBe('C');
    // D spans 10..60 below A (0..30), B (30..50) and C (50..100): A and B share 20 each.
    const offset = split(
      'column',
      'c',
      [split('row', 'top', [leaf('A'), 30], [leaf('B'), 20], [leaf('C'), 50]), 50],
      [split('row', 'bottom', [leaf('X'), 10], [leaf('D'), 50], [leaf('Y'), 40]), 50],
    );
    expect(neighbour(offset, 'D', 'up')).toBe('B');
  });

  it('skips blocks further away than a nearer one', () => {
    const three = split('row', 'r', [leaf('A'), 30], [leaf('B'), 30], [leaf('C'), 40]);
    expect(neighbour(three, 'A', 'right')).toBe('B');
    expect(neighbour(three, 'C', 'left')).toBe('B');
  });
});

describe('minExtent', () => {
  it('adds children along the axis and takes the largest across it', () => {
    expect(minExtent(sample, 'x', 10)).toBe(20);
    expect(minExtent(sample, 'y', 10)).toBe(20);
    expect(minExtent(leaf('A'), 'x', 7)).toBe(7);
  });
});

describe('dragSizes', () => {
  it('moves only the two children beside the divider', () => {
    expect(dragSizes([20, 30, 50], 1, 10, [5, 5, 5])).toEqual([20, 40, 40]);
    expect(dragSizes([20, 30, 50], 0, -5, [5, 5, 5])).toEqual([15, 35, 50]);
  });

  it('stops each child at its minimum, and does not move when both minimums do not fit', () => {
    expect(dragSizes([20, 30, 50], 1, 40, [5, 5, 15])).toEqual([20, 65, 15]);
    expect(dragSizes([20, 30, 50], 0, -40, [12, 5, 5])).toEqual([12, 38, 50]);
    expect(dragSizes([20, 30, 50], 0, 10, [30, 25, 5])).toEqual([20, 30, 50]);
  });
});

/** A random tree at most four levels deep; sizes from weights 1..10 so no block is vanishingly thin. */
type Shape = 'leaf' | { direction: SplitDirection; children: Shape[]; weights: number[] };
const shapeArbitrary = (depth: number): fc.Arbitrary<Shape> =>
  depth === 0
    ? fc.constant('leaf')
    : fc.oneof(
        fc.constant<Shape>('leaf'),
        fc.record({
          direction: fc.constantFrom<SplitDirection>('row', 'column'),
          children: fc.array(shapeArbitrary(depth - 1), { minLength: 2, maxLength: 3 }),
          weights: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 3, maxLength: 3 }),
        }),
      );
const treeArbitrary = shapeArbitrary(4).map((shape) => {
  let count = 0;
  const build = (node: Shape): LayoutNode => {
    count += 1;
    if (node === 'leaf') return leaf(`block ${count}`);
    const weights = node.children.map((_, index) => node.weights[index] ?? 1);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return split(
      node.direction,
      `split ${count}`,
      ...node.children.map((child, index): [LayoutNode, number] => [
        build(child),
        ((weights[index] ?? 1) * 100) / total,
      ]),
    );
  };
  return build(shape);
});

const EPSILON = 1e-6;
const DIRECTIONS: FocusDirection[] = ['left', 'right', 'up', 'down'];

function overlap(a: Rect, b: Rect, axis: 'x' | 'y'): number {
  return axis === 'x'
    ? Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)
    : Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
}

describe('geometry of random layouts', () => {
  it('tiles the tab area exactly with the blocks', () => {
    fc.assert(
      fc.property(treeArbitrary, (root) => {
        const rects = [...leafRects(root).values()];
        const area = rects.reduce((sum, rect) => sum + rect.w * rect.h, 0);
        expect(Math.abs(area - 10_000)).toBeLessThan(EPSILON);
        for (const [index, a] of rects.entries()) {
          expect(a.x >= -EPSILON && a.y >= -EPSILON && a.w > 0 && a.h > 0).toBe(true);
          expect(a.x + a.w <= 100 + EPSILON && a.y + a.h <= 100 + EPSILON).toBe(true);
          for (const b of rects.slice(index + 1)) {
            expect(Math.min(overlap(a, b, 'x'), overlap(a, b, 'y'))).toBeLessThan(EPSILON);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds a neighbour lying on that side exactly when the block is not at that edge', () => {
    fc.assert(
      fc.property(treeArbitrary, (root) => {
        const rects = leafRects(root);
        for (const [blockId, from] of rects) {
          for (const direction of DIRECTIONS) {
            const found = neighbour(root, blockId, direction);
            const atEdge = {
              left: from.x <= EPSILON,
              right: from.x + from.w >= 100 - EPSILON,
              up: from.y <= EPSILON,
              down: from.y + from.h >= 100 - EPSILON,
            }[direction];
            expect(found === null).toBe(atEdge);
            const to = found === null ? undefined : rects.get(found);
            if (!to) continue;
            const beyond = {
              left: to.x + to.w <= from.x + EPSILON,
              right: to.x >= from.x + from.w - EPSILON,
              up: to.y + to.h <= from.y + EPSILON,
              down: to.y >= from.y + from.h - EPSILON,
            }[direction];
            const across = direction === 'left' || direction === 'right' ? 'y' : 'x';
            expect(beyond && overlap(from, to, across) > EPSILON).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('draws one divider inside its split between each pair of children', () => {
    fc.assert(
      fc.property(treeArbitrary, (root) => {
        const splits = splitRects(root);
        const lines = dividers(root);
        // Each split of n children adds n - 1 leaves and n - 1 dividers.
        expect(lines).toHaveLength(leafRects(root).size - 1);
        for (const { splitId, direction, rect } of lines) {
          const outer = splits.get(splitId);
          if (!outer) throw new Error(`no rect for ${splitId}`);
          const thin = direction === 'row' ? rect.w : rect.h;
          expect(thin).toBe(0);
          const insideX =
            rect.x >= outer.x - EPSILON && rect.x + rect.w <= outer.x + outer.w + EPSILON;
          const insideY =
            rect.y >= outer.y - EPSILON && rect.y + rect.h <= outer.y + outer.h + EPSILON;
          expect(insideX && insideY).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('drags keeping the sum at 100 and each of the two children at or above its minimum', () => {
    const input = fc
      .array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: 2, maxLength: 6 })
      .chain((weights) => {
        const total = weights.reduce((sum, weight) => sum + weight, 0);
        return fc.record({
          sizes: fc.constant(weights.map((weight) => (weight * 100) / total)),
          index: fc.nat(weights.length - 2),
          delta: fc.double({ min: -150, max: 150, noNaN: true }),
          minimums: fc.array(fc.double({ min: 0, max: 60, noNaN: true }), {
            minLength: weights.length,
            maxLength: weights.length,
          }),
        });
      });
    fc.assert(
      fc.property(input, ({ sizes, index, delta, minimums }) => {
        const next = dragSizes(sizes, index, delta, minimums);
        expect(next).toHaveLength(sizes.length);
        expect(Math.abs(next.reduce((sum, size) => sum + size, 0) - 100)).toBeLessThan(EPSILON);
        next.forEach((size, child) => {
          if (child !== index && child !== index + 1) {
            expect(Math.abs(size - (sizes[child] ?? 0))).toBeLessThan(EPSILON);
          }
        });
        const [first = 0, second = 0] = [sizes[index], sizes[index + 1]];
        const [firstMin = 0, secondMin = 0] = [minimums[index], minimums[index + 1]];
        if (firstMin + secondMin > first + second) {
          expect(Math.abs((next[index] ?? 0) - first)).toBeLessThan(EPSILON);
        } else {
          expect(next[index]).toBeGreaterThanOrEqual(firstMin - EPSILON);
          expect(next[index + 1]).toBeGreaterThanOrEqual(secondMin - EPSILON);
          const free = first + delta >= firstMin && second - delta >= secondMin;
          if (free) expect(Math.abs((next[index] ?? 0) - (first + delta))).toBeLessThan(EPSILON);
        }
      }),
      { numRuns: 300 },
    );
  });
});
