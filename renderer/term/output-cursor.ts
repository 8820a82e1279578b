/**
 * Where a live output chunk fits in a zone's stream. The renderer paints a
 * snapshot that ends at some offset, then follows chunks; chunks can overlap
 * what was already painted (in flight during a re-attach) or, if something
 * went wrong upstream, skip ahead. This decides what to write so the screen
 * never shows a byte twice and never silently misses one.
 */

export type OutputChunk = { offset: number; data: Uint8Array };

export type OutputStep =
  /** Write `data`; `skipped` leading bytes were already painted. */
  | { kind: 'write'; data: Uint8Array; skipped: number; next: number }
  /** Everything in the chunk was already painted. */
  | { kind: 'stale'; skipped: number; next: number }
  /** Bytes between `expected` and the chunk's offset never arrived. */
  | { kind: 'gap'; expected: number; received: number };

/** Decide what part of `chunk` to write when the screen reflects the stream up to `expected`. */
export function nextOutput(expected: number, chunk: OutputChunk): OutputStep {
  const { offset, data } = chunk;
  if (offset > expected) return { kind: 'gap', expected, received: offset };
  const end = offset + data.byteLength;
  if (end <= expected) return { kind: 'stale', skipped: data.byteLength, next: expected };
  const skipped = expected - offset;
  return {
    kind: 'write',
    data: skipped === 0 ? data : data.subarray(skipped),
    skipped,
    next: end,
  };
}
