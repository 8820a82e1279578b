import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer';

describe('ReplayBuffer', () => {
  it('holds about its capacity in memory, not the reads its chunks were sliced from', () => {
    const replay = new ReplayBuffer(64 * 1024);
    for (let n = 0; n < 200; n++) {
      // A parser's slice of a 1 MiB read: 2 KiB shown, 1 MiB held.
      const read = Buffer.alloc(1024 * 1024, 0x61);
      replay.append(read.subarray(0, 2048));
    }
    expect(replay.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(replay.heldBytes).toBeLessThan(256 * 1024);
  });

  it('lets go of a big chunk once trims have taken most of it', () => {
    const replay = new ReplayBuffer(1024 * 1024);
    replay.append(Buffer.alloc(1024 * 1024, 0x62));
    for (let n = 0; n < 12; n++) replay.append(Buffer.alloc(64 * 1024, 0x63));
    expect(replay.byteLength).toBeLessThanOrEqual(1024 * 1024);
    // The first chunk's remainder was copied once it held its buffer for less than half.
    expect(replay.heldBytes).toBeLessThan(1.25 * 1024 * 1024);
    expect(replay.contents().subarray(-1)[0]).toBe(0x63);
  });
});
