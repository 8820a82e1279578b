import { describe, expect, it } from 'vitest';
import { LinkWatch } from './link-watch';

/** A clock and an interval the test moves by hand. */
function fakeTimers() {
  let time = 1_000;
  let tick: (() => void) | undefined;
  let cleared = false;
  return {
    now: () => time,
    setInterval: (callback: () => void) => {
      tick = callback;
      return 'handle';
    },
    clearInterval: (handle: unknown) => {
      expect(handle).toBe('handle');
      cleared = true;
    },
    /** Moves the clock on and runs the poll once. */
    advance(ms: number) {
      time += ms;
      tick?.();
    },
    get cleared() {
      return cleared;
    },
  };
}

describe('LinkWatch', () => {
  it('reports a stall after stallAfterMs of silence, and the resume when bytes arrive', () => {
    const timers = fakeTimers();
    let lastReceived = timers.now();
    const seen: string[] = [];
    const watch = new LinkWatch({
      lastReceivedAt: () => lastReceived,
      stallAfterMs: 1500,
      onStall: () => seen.push('stall'),
      onResume: () => seen.push('resume'),
      ...timers,
    });

    timers.advance(1000);
    expect(seen).toEqual([]);
    lastReceived = timers.now(); // a keepalive answer
    timers.advance(1000);
    expect(seen).toEqual([]);
    timers.advance(499);
    expect(seen).toEqual([]);
    timers.advance(1);
    expect(seen).toEqual(['stall']);
    expect(watch.stalled).toBe(true);

    // Still silent: reported once.
    timers.advance(5000);
    expect(seen).toEqual(['stall']);

    lastReceived = timers.now();
    timers.advance(10);
    expect(seen).toEqual(['stall', 'resume']);
    expect(watch.stalled).toBe(false);

    timers.advance(2000);
    expect(seen).toEqual(['stall', 'resume', 'stall']);
  });

  it('stop() clears the poll and reports nothing more', () => {
    const timers = fakeTimers();
    const seen: string[] = [];
    const watch = new LinkWatch({
      lastReceivedAt: () => 0,
      stallAfterMs: 100,
      onStall: () => seen.push('stall'),
      onResume: () => seen.push('resume'),
      ...timers,
    });
    watch.stop();
    expect(timers.cleared).toBe(true);
    timers.advance(1000);
    watch.check();
    expect(seen).toEqual([]);
  });
});
