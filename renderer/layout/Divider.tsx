/**
 * The handle between two siblings of a split: drag it (or focus it and use
 * the arrow keys) to move the boundary. Both neighbours stop at a minimum
 * size big enough for a header and a couple of rows. Each move goes through
 * the reducer; the saver writes the result once the drag settles.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import type { LayoutNode } from '../../preload/layout';
import { dispatchLayout } from '../state/workspace';
import { MIN_BLOCK_HEIGHT, MIN_BLOCK_WIDTH } from './block-size';
import { dragSizes, minExtent, splitRects, type Divider as DividerLine } from './geometry';
import { findSplit } from './layout-tree';

/** Arrow keys move a focused divider by this many percent of its split. */
const KEY_STEP = 2;

type Props = { root: LayoutNode; divider: DividerLine };

type Drag = { start: number; extent: number; sizes: number[]; minimums: number[] };

export function Divider({ root, divider }: Props) {
  const drag = useRef<Drag | null>(null);
  const horizontal = divider.direction === 'row';
  const { rect } = divider;

  /** The split's size in pixels along the drag axis, and each child's minimum in percent. */
  const measure = (element: HTMLElement) => {
    const split = findSplit(root, divider.splitId);
    const tabArea = element.parentElement;
    const splitRect = splitRects(root).get(divider.splitId);
    if (!split || !tabArea || !splitRect) return null;
    const extent = horizontal
      ? (tabArea.clientWidth * splitRect.w) / 100
      : (tabArea.clientHeight * splitRect.h) / 100;
    if (extent <= 0) return null;
    const axis = horizontal ? 'x' : 'y';
    const leafMin = horizontal ? MIN_BLOCK_WIDTH : MIN_BLOCK_HEIGHT;
    const minimums = split.children.map(
      (child) => (minExtent(child, axis, leafMin) / extent) * 100,
    );
    return { sizes: split.sizes, extent, minimums };
  };

  const resize = (sizes: number[], minimums: number[], delta: number) => {
    const next = dragSizes(sizes, divider.index, delta, minimums);
    dispatchLayout({ type: 'resize', splitId: divider.splitId, sizes: next });
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    const measured = measure(event.currentTarget);
    if (!measured) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { start: horizontal ? event.clientX : event.clientY, ...measured };
  };

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const current = drag.current;
    if (!current) return;
    const position = horizontal ? event.clientX : event.clientY;
    resize(current.sizes, current.minimums, ((position - current.start) / current.extent) * 100);
  };

  const endDrag = () => {
    drag.current = null;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const back = horizontal ? 'ArrowLeft' : 'ArrowUp';
    const forward = horizontal ? 'ArrowRight' : 'ArrowDown';
    if (event.key !== back && event.key !== forward) return;
    const measured = measure(event.currentTarget);
    if (!measured) return;
    event.preventDefault();
    event.stopPropagation();
    resize(measured.sizes, measured.minimums, event.key === forward ? KEY_STEP : -KEY_STEP);
  };

  const split = findSplit(root, divider.splitId);
  const before = split?.sizes.slice(0, divider.index + 1).reduce((sum, size) => sum + size, 0);
  return (
    <div
      className={`divider ${horizontal ? 'divider-vertical' : 'divider-horizontal'}`}
      role="separator"
      aria-orientation={horizontal ? 'vertical' : 'horizontal'}
      aria-valuenow={before === undefined ? undefined : Math.round(before)}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-label="Resize blocks"
      tabIndex={0}
      // The line has no thickness; CSS gives the handle its width around it.
      style={
        horizontal
          ? { left: `${rect.x}%`, top: `${rect.y}%`, height: `${rect.h}%` }
          : { left: `${rect.x}%`, top: `${rect.y}%`, width: `${rect.w}%` }
      }
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      onKeyDown={onKeyDown}
    />
  );
}
