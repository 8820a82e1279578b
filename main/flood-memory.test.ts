import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectSoon, FloodMemory, fullCollector, type FloodMemoryOptions } from './flood-memory';

afterEach(() => vi.useRealTimers());

/** A FloodMemory on fake timers with small numbers: 1000 bytes make a flood, ticks of 100 ms. */
function fakeFloodMemory(options: FloodMemoryOptions = {}) {
  vi.useFakeTimers();
  const alsoCollect = vi.fn();
  const collected = vi.fn();
  const memory = new FloodMemory({
    afterBytes: 1000,
    quietMs: 100,
    quietBytes: 100,
    alsoCollect,
    collected,
    ...options,
  });
  return { memory, alsoCollect, collected };
}

describe('flood memory', () => {
  it('reaches V8’s full collection', async () => {
    const collect = fullCollector();
    expect(collect).toBeTypeOf('function');
    const before = process.memoryUsage().arrayBuffers;
    // Garbage outside the heap: gone after a full collection, however idle the process is.
    // 16 MiB: under the ~64 MB of outside memory at which V8 would collect by itself.
    for (let n = 0; n < 16; n++) new Uint8Array(1024 * 1024).fill(n);
    collect!();
    // V8 frees dead buffers on a helper thread after the collection: the count drops soon
    // after it, never without it (nothing else here allocates or collects).
    const grown = () => process.memoryUsage().arrayBuffers - before;
    for (let waited = 0; grown() >= 4 * 1024 * 1024 && waited < 2_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(grown()).toBeLessThan(4 * 1024 * 1024);
  });

  it('keeps dead buffers from piling up during a flood (a young collection every few MiB)', async () => {
    const peakOf = async (memory: FloodMemory | null) => {
      fullCollector()!();
      const before = process.memoryUsage().arrayBuffers;
      let peak = 0;
      // A flood's chunks: each a buffer outside the heap whose handle dies at once.
      for (let n = 0; n < 1024; n++) {
        const chunk = Buffer.allocUnsafe(64 * 1024).fill(n);
        memory?.output(chunk.byteLength);
        // Each read is a turn of the event loop, as a pty's are.
        await new Promise((resolve) => setImmediate(resolve));
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      }
      return peak;
    };
    const memory = new FloodMemory({ youngEvery: 2 * 1024 * 1024 });
    const MiB = 1024 * 1024;
    expect(await peakOf(memory)).toBeLessThan(8 * MiB);
    memory.dispose();
    // The same flood without it, so the bound above means something here.
    expect(await peakOf(null)).toBeGreaterThan(16 * MiB);
  });

  it('collects once a flood is over, never during it, at most once per interval', () => {
    const { memory, alsoCollect, collected } = fakeFloodMemory({ minIntervalMs: 10_000 });
    // A flood: output on every tick.
    for (let tick = 0; tick < 20; tick++) {
      memory.output(500);
      vi.advanceTimersByTime(100);
    }
    expect(collected).not.toHaveBeenCalled();
    // Quiet for a tick: collected, here and in the worker.
    vi.advanceTimersByTime(200);
    expect(collected).toHaveBeenCalledExactlyOnceWith(10_000);
    expect(alsoCollect).toHaveBeenCalledOnce();
    // A second flood right after: not again before the interval is up...
    memory.output(5000);
    vi.advanceTimersByTime(300);
    expect(collected).toHaveBeenCalledOnce();
    // ...but once it is.
    vi.advanceTimersByTime(10_000);
    expect(collected).toHaveBeenCalledTimes(2);
    // A little output (a prompt) is not a flood.
    memory.output(10);
    vi.advanceTimersByTime(60_000);
    expect(collected).toHaveBeenCalledTimes(2);
    memory.dispose();
  });

  it('collects twice more while quiet, and not once a new flood starts', () => {
    const { memory, alsoCollect } = fakeFloodMemory({ followUps: 2, followUpMs: 1000 });
    memory.output(5000);
    vi.advanceTimersByTime(200);
    expect(alsoCollect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(alsoCollect).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    expect(alsoCollect).toHaveBeenCalledTimes(3);
    // Two follow-ups, no more.
    vi.advanceTimersByTime(10_000);
    expect(alsoCollect).toHaveBeenCalledTimes(3);

    // After the next flood (past the interval): a collection, then output again at once.
    vi.advanceTimersByTime(30_000);
    memory.output(5000);
    vi.advanceTimersByTime(200);
    expect(alsoCollect).toHaveBeenCalledTimes(4);
    memory.output(5000);
    vi.advanceTimersByTime(100);
    // The follow-ups were dropped with the new flood, which is too small to collect after.
    vi.advanceTimersByTime(5000);
    expect(alsoCollect).toHaveBeenCalledTimes(4);
    memory.dispose();
  });

  it('counts a trickle in another session as quiet: the collection after a flood still runs', () => {
    const { memory, alsoCollect } = fakeFloodMemory();
    memory.output(5000);
    // A clock ticking elsewhere: a few bytes on every tick.
    for (let tick = 0; tick < 3; tick++) {
      memory.output(20);
      vi.advanceTimersByTime(100);
    }
    expect(alsoCollect).toHaveBeenCalledOnce();
    memory.dispose();
  });

  it('gives freed memory back to the allocator after each collection, and every few MiB of a flood', async () => {
    const trim = vi.fn();
    const { memory, alsoCollect } = fakeFloodMemory({
      trim,
      youngEvery: 100,
      trimEvery: 400,
      followUps: 1,
      followUpMs: 1000,
    });
    // A flood of 1,000 bytes in chunks of 100: a young collection per chunk, a trim per 400.
    for (let chunk = 0; chunk < 10; chunk++) {
      memory.output(100);
      await vi.advanceTimersToNextTimerAsync();
    }
    expect(trim).toHaveBeenCalledTimes(2);
    expect(alsoCollect).not.toHaveBeenCalled();
    // Over: the full collection and its follow-up, each with a trim.
    vi.advanceTimersByTime(200);
    expect(alsoCollect).toHaveBeenCalledOnce();
    expect(trim).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(1000);
    expect(alsoCollect).toHaveBeenCalledTimes(2);
    expect(trim).toHaveBeenCalledTimes(4);
    memory.dispose();
  });
});

describe('collect soon', () => {
  it('collects once for a burst of requests, and never more often than its interval', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const soon = collectSoon(collect, { delayMs: 100, minIntervalMs: 1000 });
    // A burst: one collection, after the delay.
    soon.request();
    soon.request();
    vi.advanceTimersByTime(99);
    expect(collect).not.toHaveBeenCalled();
    soon.request();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledOnce();
    // Asked again at once: served when the interval is up, not before.
    soon.request();
    vi.advanceTimersByTime(999);
    expect(collect).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(2);
    // Nothing asked: nothing runs.
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
    // Disposed with a request waiting: it never runs.
    soon.request();
    soon.dispose();
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
  });
});
