/** Which rows of a long list are rendered, and how the list scrolls to keep one in view. */
import { describe, expect, it } from 'vitest';
import { scrollToShow, visibleRange } from './list-window';

describe('visibleRange', () => {
  it('renders the rows in view plus a few either side, within the list', () => {
    expect(visibleRange(0, 400, 200, 100)).toEqual({ start: 0, end: 6 });
    expect(visibleRange(1_000, 400, 200, 100)).toEqual({ start: 8, end: 16 });
    expect(visibleRange(19_800, 400, 200, 100)).toEqual({ start: 196, end: 200 });
  });

  it('never goes past a short list, and renders nothing for an empty one', () => {
    expect(visibleRange(0, 400, 3, 100)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 400, 0, 100)).toEqual({ start: 0, end: 0 });
  });

  it('assumes a height until the list has been measured', () => {
    const range = visibleRange(0, 0, 200, 100);
    expect(range.start).toBe(0);
    expect(range.end).toBeGreaterThan(4);
    expect(range.end).toBeLessThan(200);
  });
});

describe('scrollToShow', () => {
  it('scrolls up to a row above the view, and down just enough for one below it', () => {
    expect(scrollToShow(2, 500, 400, 100)).toBe(200);
    expect(scrollToShow(10, 500, 400, 100)).toBe(700);
  });

  it('leaves the scroll alone for a row already in view', () => {
    expect(scrollToShow(6, 500, 400, 100)).toBe(500);
    expect(scrollToShow(8, 500, 400, 100)).toBe(500);
  });
});
