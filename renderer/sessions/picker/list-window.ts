/**
 * Only the rows of a long list that can be seen (plus a few either side) are
 * in the DOM: opening the picker with hundreds of sessions costs about what
 * opening it with ten does. Rows have one fixed height, so where a row sits
 * and which rows show follow from the scroll position alone.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** Height of one picker row in pixels: title, status line and three lines of peek. */
export const ROW_HEIGHT = 84;
/** Rows kept above and below the visible ones, so a quick scroll shows no gap. */
const OVERSCAN = 2;
/** Assumed height before the list has been measured (or where nothing is laid out). */
const UNMEASURED_HEIGHT = 420;

export type Range = { start: number; end: number };

/** The rows [start, end) to render for a scroll position and a viewport height. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  count: number,
  rowHeight = ROW_HEIGHT,
): Range {
  const height = viewport > 0 ? viewport : UNMEASURED_HEIGHT;
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + height) / rowHeight);
  return { start: Math.max(0, first - OVERSCAN), end: Math.min(count, last + OVERSCAN) };
}

/** The scroll position that shows row `index` whole, moving as little as possible. */
export function scrollToShow(
  index: number,
  scrollTop: number,
  viewport: number,
  rowHeight = ROW_HEIGHT,
): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (viewport > 0 && top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return scrollTop;
}

/**
 * The range of a scrolling list (give it the returned ref), following its
 * scroll position and size, and keeping row `keep` (the highlighted one) in
 * view. Opening never forces a layout: the list is measured when the browser
 * has laid it out anyway (its first resize report), and only then scrolled to
 * the kept row; later moves of the highlight scroll at once.
 */
export function useListWindow<T extends HTMLElement>(
  count: number,
  keep: number,
): Range & { ref: RefObject<T | null>; onScroll(): void } {
  const ref = useRef<T>(null);
  const [view, setView] = useState({ top: 0, height: 0 });
  const kept = useRef(keep);
  const measured = useRef(false);

  const onScroll = useCallback(() => {
    const element = ref.current;
    if (!element) return;
    const { scrollTop: top, clientHeight: height } = element;
    setView((last) => (last.top === top && last.height === height ? last : { top, height }));
  }, []);

  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (!measured.current && kept.current >= 0) {
        const top = scrollToShow(kept.current, element.scrollTop, element.clientHeight);
        if (top !== element.scrollTop) element.scrollTop = top;
      }
      measured.current = true;
      onScroll();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [onScroll]);

  useEffect(() => {
    kept.current = keep;
    const element = ref.current;
    if (!element || keep < 0 || !measured.current) return;
    const top = scrollToShow(keep, element.scrollTop, element.clientHeight);
    if (top !== element.scrollTop) element.scrollTop = top;
  }, [keep]);

  return { ...visibleRange(view.top, view.height, count), ref, onScroll };
}
