import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fullCollector } from './flood-memory';
import { mallocTrimmer } from './malloc-trim';

const glibc = Boolean(
  (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    ?.glibcVersionRuntime,
);

function rssMiB(): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Number(kb) / 1024;
}

describe('malloc trim', () => {
  // Only glibc has malloc_trim; elsewhere mallocTrimmer() is null by design (tested below).
  it.skipIf(!glibc)('gives back memory that freed buffers left inside the allocator', async () => {
    const trim = mallocTrimmer();
    expect(trim).toBeTypeOf('function');
    const collect = fullCollector()!;
    // 192 MiB of buffers small enough to come from malloc's arenas (not their own mappings),
    // one in 16 kept alive: the free space between them is not at the top of an arena, so
    // only malloc_trim can give it back.
    const kept: Buffer[] = [];
    let chunks: Buffer[] | null = [];
    for (let n = 0; n < 2048; n++) {
      const chunk = Buffer.allocUnsafeSlow(96 * 1024).fill(n);
      if (n % 16 === 0) kept.push(chunk);
      else chunks.push(chunk);
    }
    chunks = null;
    collect();
    // V8 frees dead buffers on a helper thread after the collection: wait for it (a loaded
    // machine delays it), so the holes exist before the trim is asked to give them back.
    const keptBytes = 128 * 96 * 1024;
    for (let waited = 0; waited < 5_000; waited += 50) {
      if (process.memoryUsage().arrayBuffers < keptBytes + 16 * 1024 * 1024) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = rssMiB();
    trim!();
    const after = rssMiB();
    expect(kept).toHaveLength(128);
    expect(chunks).toBeNull();
    expect(before - after).toBeGreaterThan(64);
  });

  it('is there exactly where the C library is glibc (null elsewhere, where nothing is called)', () => {
    expect(mallocTrimmer() !== null).toBe(glibc);
  });
});
