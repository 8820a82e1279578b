import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_BYTES, ACK_DELAY_MS, AckBatcher } from './ack-batcher';

describe('AckBatcher', () => {
  let sent: number[];
  let batcher: AckBatcher;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    batcher = new AckBatcher((bytes) => sent.push(bytes));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('acknowledges small amounts once the delay after the first byte has passed', () => {
    batcher.add(100);
    vi.advanceTimersByTime(ACK_DELAY_MS - 5);
    batcher.add(50);
    vi.advanceTimersByTime(4);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([150]);
  });

  it('does not let later bytes postpone the timer', () => {
    // A byte every 5 ms: each ack must still go out 20 ms after its first byte.
    for (let tick = 0; tick < 10; tick++) {
      batcher.add(10);
      vi.advanceTimersByTime(ACK_DELAY_MS / 4);
    }
    // Adds at 0, 5, 10, 15 are acked at 20; adds at 20..35 are acked at 40.
    expect(sent).toEqual([40, 40]);
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(sent).toEqual([40, 40, 20]);
  });

  it('acknowledges at once when the byte threshold is reached', () => {
    batcher.add(ACK_BYTES - 1);
    expect(sent).toEqual([]);
    batcher.add(1);
    expect(sent).toEqual([ACK_BYTES]);
    // The pending timer was cancelled with the flush: nothing more is sent.
    vi.advanceTimersByTime(ACK_DELAY_MS * 2);
    expect(sent).toEqual([ACK_BYTES]);
  });

  it('sends one ack for a single large chunk', () => {
    batcher.add(ACK_BYTES * 3 + 7);
    expect(sent).toEqual([ACK_BYTES * 3 + 7]);
  });

  it('never acknowledges zero or invalid byte counts', () => {
    batcher.add(0);
    batcher.add(-4);
    batcher.add(Number.NaN);
    batcher.flush();
    vi.advanceTimersByTime(ACK_DELAY_MS * 2);
    expect(sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends pending bytes on dispose so none are lost', () => {
    batcher.add(10);
    batcher.add(20);
    batcher.dispose();
    expect(sent).toEqual([30]);
    vi.advanceTimersByTime(ACK_DELAY_MS * 2);
    expect(sent).toEqual([30]);
  });

  it('accounts every byte exactly once under a mixed load', () => {
    let total = 0;
    const sizes = [1, 4096, 65536, 3, 31_000, 2000, 17, 40_000, 9];
    for (const size of sizes) {
      batcher.add(size);
      total += size;
      vi.advanceTimersByTime(7);
    }
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(sent.every((bytes) => bytes > 0)).toBe(true);
    expect(sent.reduce((sum, bytes) => sum + bytes, 0)).toBe(total);
  });

  it('honours custom limits', () => {
    const custom: number[] = [];
    const small = new AckBatcher((bytes) => custom.push(bytes), { bytes: 10, delayMs: 5 });
    small.add(4);
    small.add(6);
    expect(custom).toEqual([10]);
    small.add(1);
    vi.advanceTimersByTime(5);
    expect(custom).toEqual([10, 1]);
  });

  it('drops pending bytes on cancel and keeps counting afterwards', () => {
    batcher.add(30);
    batcher.cancel();
    vi.advanceTimersByTime(ACK_DELAY_MS * 2);
    expect(sent).toEqual([]);
    batcher.add(5);
    vi.advanceTimersByTime(ACK_DELAY_MS);
    expect(sent).toEqual([5]);
  });
});
