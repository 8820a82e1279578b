import { describe, expect, it } from 'vitest';
import { nextOutput } from './output-cursor';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('nextOutput', () => {
  it('writes a chunk that starts exactly where the screen ends', () => {
    const chunk = { offset: 10, data: bytes('hello') };
    const step = nextOutput(10, chunk);
    expect(step).toEqual({ kind: 'write', data: chunk.data, skipped: 0, next: 15 });
    if (step.kind === 'write') expect(step.data).toBe(chunk.data);
  });

  it('drops a chunk that was entirely painted already', () => {
    expect(nextOutput(20, { offset: 10, data: bytes('0123456789') })).toEqual({
      kind: 'stale',
      skipped: 10,
      next: 20,
    });
    expect(nextOutput(30, { offset: 10, data: bytes('abc') })).toEqual({
      kind: 'stale',
      skipped: 3,
      next: 30,
    });
  });

  it('writes only the new tail of a partly painted chunk', () => {
    const step = nextOutput(13, { offset: 10, data: bytes('abcdefg') });
    expect(step.kind).toBe('write');
    if (step.kind !== 'write') return;
    expect(text(step.data)).toBe('defg');
    expect(step.skipped).toBe(3);
    expect(step.next).toBe(17);
  });

  it('reports a gap when bytes before the chunk are missing', () => {
    expect(nextOutput(10, { offset: 12, data: bytes('xy') })).toEqual({
      kind: 'gap',
      expected: 10,
      received: 12,
    });
  });

  it('treats an empty chunk at the expected offset as nothing to write', () => {
    expect(nextOutput(5, { offset: 5, data: new Uint8Array(0) })).toEqual({
      kind: 'stale',
      skipped: 0,
      next: 5,
    });
  });

  it('reassembles an overlapping stream without duplicate or missing bytes', () => {
    const stream = 'the quick brown fox jumps over the lazy dog';
    // Chunks as they might arrive around a re-attach: repeats and overlaps.
    const chunks = [
      [0, 9],
      [4, 15],
      [0, 3],
      [15, 30],
      [20, 25],
      [28, 43],
    ] as const;
    let expected = 0;
    let painted = '';
    for (const [start, end] of chunks) {
      const step = nextOutput(expected, { offset: start, data: bytes(stream.slice(start, end)) });
      expect(step.kind).not.toBe('gap');
      if (step.kind === 'write') painted += text(step.data);
      if (step.kind !== 'gap') expected = step.next;
    }
    expect(painted).toBe(stream);
    expect(expected).toBe(stream.length);
  });
});
