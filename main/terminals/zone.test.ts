import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ZONE_OPTIONS, Zone, type ZoneChunk } from './zone';

type Recorder = {
  id: string;
  bytes: Buffer[];
  chunks: ZoneChunk[];
  deliver(chunk: ZoneChunk): void;
};

function recorder(id: string): Recorder {
  const r: Recorder = {
    id,
    bytes: [],
    chunks: [],
    deliver: (chunk) => {
      r.chunks.push(chunk);
      r.bytes.push(chunk.data);
    },
  };
  return r;
}

function zone(overrides: Partial<typeof DEFAULT_ZONE_OPTIONS> = {}, onPressure = vi.fn()) {
  return new Zone<Recorder>('z', { ...DEFAULT_ZONE_OPTIONS, ...overrides, onPressure });
}

afterEach(() => vi.useRealTimers());

describe('Zone', () => {
  it('delivers a quiet zone’s output at once, coalescing reads of the same turn', () => {
    vi.useFakeTimers();
    const z = zone();
    const r = recorder('a');
    z.attach(r);
    z.push(Buffer.from('one '));
    z.push(Buffer.from('two'));
    expect(r.chunks).toHaveLength(0);
    // The end of this I/O turn, not a batch interval: an echoed key is not delayed.
    vi.advanceTimersByTime(0);
    expect(r.chunks).toEqual([{ offset: 0, data: Buffer.from('one two') }]);
  });

  it('spaces deliveries of sustained output by the batch interval', () => {
    vi.useFakeTimers();
    const z = zone();
    const r = recorder('a');
    z.attach(r);
    z.push(Buffer.from('a'));
    vi.advanceTimersByTime(0);
    z.push(Buffer.from('b'));
    z.push(Buffer.from('c'));
    vi.advanceTimersByTime(DEFAULT_ZONE_OPTIONS.batchMs - 1);
    expect(r.chunks).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(r.chunks.map((chunk) => chunk.data.toString())).toEqual(['a', 'bc']);
    // Quiet again for a whole interval: the next output goes out at once.
    vi.advanceTimersByTime(DEFAULT_ZONE_OPTIONS.batchMs);
    z.push(Buffer.from('d'));
    vi.advanceTimersByTime(0);
    expect(r.chunks.map((chunk) => chunk.data.toString())).toEqual(['a', 'bc', 'd']);
  });

  it('flushes at once when a batch reaches its size cap', () => {
    const z = zone({ batchBytes: 8 });
    const r = recorder('a');
    z.attach(r);
    z.push(Buffer.from('12345678'));
    expect(r.chunks).toEqual([{ offset: 0, data: Buffer.from('12345678') }]);
  });

  it('gives a late subscriber the replay and then exactly what follows', () => {
    const z = zone({ batchBytes: 1 });
    z.push(Buffer.from('before\n'));
    const r = recorder('late');
    const { snapshot, offset } = z.attach(r);
    z.push(Buffer.from('after'));
    expect(snapshot.toString()).toBe('before\n');
    expect(offset).toBe(7);
    expect(r.chunks).toEqual([{ offset: 7, data: Buffer.from('after') }]);
  });

  it('never loses or repeats a byte for subscribers attaching at random moments', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('push' as const),
              data: fc.uint8Array({ minLength: 1, maxLength: 40 }),
            }),
            fc.record({ kind: fc.constant('flush' as const) }),
            fc.record({ kind: fc.constant('attach' as const) }),
          ),
          { maxLength: 80 },
        ),
        (steps) => {
          vi.useFakeTimers();
          // A big replay so every snapshot holds the whole stream from 0.
          const z = zone({ replayBytes: 1 << 20, batchBytes: 64 });
          const stream: Buffer[] = [];
          const followers: Array<{ r: Recorder; snapshot: Buffer; offset: number }> = [];
          for (const step of steps) {
            if (step.kind === 'push') {
              stream.push(Buffer.from(step.data));
              z.push(Buffer.from(step.data));
            } else if (step.kind === 'flush') {
              vi.advanceTimersByTime(DEFAULT_ZONE_OPTIONS.batchMs);
            } else {
              const r = recorder(`f${followers.length}`);
              followers.push({ r, ...z.attach(r) });
            }
          }
          z.flush();
          const all = Buffer.concat(stream);
          for (const { r, snapshot, offset } of followers) {
            expect(snapshot.byteLength).toBe(offset);
            let expected = offset;
            for (const chunk of r.chunks) {
              expect(chunk.offset).toBe(expected);
              expected += chunk.data.byteLength;
            }
            expect(Buffer.concat([snapshot, ...r.bytes]).equals(all)).toBe(true);
          }
          vi.useRealTimers();
        },
      ),
    );
  });

  it('pauses the producer when a subscriber falls behind and resumes once it catches up', () => {
    const onPressure = vi.fn();
    const z = zone({ batchBytes: 1, highWater: 100, lowWater: 20 }, onPressure);
    const fast = recorder('fast');
    const slow = recorder('slow');
    z.attach(fast);
    z.attach(slow);
    z.push(Buffer.alloc(60));
    z.ack('fast', 60);
    expect(onPressure).not.toHaveBeenCalled();
    z.push(Buffer.alloc(60));
    z.ack('fast', 60);
    expect(onPressure).toHaveBeenLastCalledWith(true);
    expect(z.isPaused).toBe(true);
    z.ack('slow', 90);
    expect(z.isPaused).toBe(true);
    z.ack('slow', 30);
    expect(onPressure).toHaveBeenLastCalledWith(false);
    expect(z.isPaused).toBe(false);
  });

  it('resumes when the lagging subscriber detaches', () => {
    const onPressure = vi.fn();
    const z = zone({ batchBytes: 1, highWater: 10, lowWater: 5 }, onPressure);
    z.attach(recorder('gone'));
    z.push(Buffer.alloc(11));
    expect(z.isPaused).toBe(true);
    z.detach('gone');
    expect(z.isPaused).toBe(false);
    expect(onPressure.mock.calls).toEqual([[true], [false]]);
  });

  it('stays paused while another consumer holds it, whatever the acks say', () => {
    const onPressure = vi.fn();
    const z = zone({ batchBytes: 1, highWater: 100, lowWater: 20 }, onPressure);
    z.attach(recorder('page'));
    z.hold('mirror', true);
    z.hold('mirror', true);
    expect(onPressure.mock.calls).toEqual([[true]]);
    // The page catching up does not let the producer go while the mirror holds it...
    z.push(Buffer.alloc(150));
    z.ack('page', 150);
    expect(z.isPaused).toBe(true);
    // ...and the mirror letting go does not either while the page is behind.
    z.push(Buffer.alloc(150));
    z.hold('mirror', false);
    expect(z.isPaused).toBe(true);
    z.ack('page', 150);
    expect(onPressure.mock.calls).toEqual([[true], [false]]);
  });

  it('ignores acks from strangers and never goes negative', () => {
    const onPressure = vi.fn();
    const z = zone({ batchBytes: 1, highWater: 10, lowWater: 5 }, onPressure);
    z.attach(recorder('a'));
    z.ack('a', 1000);
    z.ack('nobody', 5);
    z.push(Buffer.alloc(11));
    expect(z.isPaused).toBe(true);
  });

  it('trims the replay at a line break', () => {
    const z = zone({ batchBytes: 1, replayBytes: 10 });
    z.push(Buffer.from('aaaa\nbbbb\ncccc\n'));
    const { snapshot } = z.attach(recorder('a'));
    expect(snapshot.toString()).toBe('cccc\n');
  });

  it('keeps offsets going after the replay is cleared', () => {
    const z = zone({ batchBytes: 1 });
    z.push(Buffer.from('old'));
    z.clearReplay();
    const { snapshot, offset } = z.attach(recorder('a'));
    expect(snapshot.byteLength).toBe(0);
    expect(offset).toBe(3);
  });
});
