// The mirror's bounds against a real worker and real headless xterm: output
// waits lazily and is parsed when quiet; a shell that cannot repaint is held
// back rather than its output dropped; one that can (tmux) lets a flood go
// and repaints the mirror; the log stays short. Each ends with the mirror
// equal to a terminal that parsed every byte, and nothing left held.
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../log';
import { createMirrorPool, type TestableMirrorPool } from './mirror-pool';
import { MirrorLog } from './mirror-log';
import { feed, repaintingSource, replay, rows, terminal } from './mirror-testing';

const pools: TestableMirrorPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.dispose()));
});

const KiB = 1024;
const limits = { lazyBytes: 64 * KiB, highWater: 512 * KiB, lowWater: 256 * KiB, quietMs: 40 };

function pool(): TestableMirrorPool {
  const created = createMirrorPool({ limits });
  pools.push(created);
  return created;
}

/** Coloured, numbered lines: `count` of them from `from`, about 100 bytes each. */
function lines(from: number, count: number): Buffer {
  let text = '';
  for (let n = from; n < from + count; n++) {
    text += `\x1b[3${n % 8}mline ${n}\x1b[0m ${'·'.repeat(n % 70)}\r\n`;
  }
  return Buffer.from(text, 'utf8');
}

const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('mirror feed', () => {
  it('keeps a burst unparsed until output goes quiet, then parses it and holds nothing', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    mirrors.write('s', lines(0, 100));
    // Under the lazy bound: it waits here while the stream flows.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mirrors.__unparsedForTest('s')).toBeGreaterThan(5 * KiB);

    await until(() => mirrors.__unparsedForTest('s') === 0);
    expect(await mirrors.tail('s', 1)).toEqual(['line 99 ' + '·'.repeat(99 % 70)]);
  });

  it('holds back a shell that cannot repaint when parsing falls behind, and loses no byte', async () => {
    const mirrors = pool();
    const held: boolean[] = [];
    let isHeld = false;
    mirrors.open('s', 100, 30, {
      pressure: (value) => {
        held.push(value);
        isHeld = value;
      },
    });
    const reference = terminal(100, 30);
    let peak = 0;
    let next = 0;
    // A producer that stops while held, as a paused pty does: 20,000 lines, about 2 MB.
    while (next < 20_000) {
      if (isHeld) {
        await until(() => !isHeld);
        continue;
      }
      const chunk = lines(next, 200);
      next += 200;
      reference.write(chunk);
      mirrors.write('s', chunk);
      peak = Math.max(peak, mirrors.__unparsedForTest('s'));
      // Let the worker's progress reach us now and then, as a real event loop would.
      if (next % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }

    expect(held).toContain(true);
    // Bounded: never more than the high-water mark plus one chunk waiting.
    expect(peak).toBeLessThanOrEqual(limits.highWater + lines(next - 200, 200).byteLength);
    const snapshot = await mirrors.snapshot('s');
    expect(rows(await replay(snapshot))).toEqual(rows(await feed(reference, '')));
    expect(held.at(-1)).toBe(false);
    expect(mirrors.__unparsedForTest('s')).toBe(0);
  });

  it('lets a flood go for a shell that can repaint, and rebuilds the mirror from its screen', async () => {
    const mirrors = pool();
    const held: boolean[] = [];
    mirrors.open('s', 100, 30, { pressure: (value) => held.push(value) });
    const source = repaintingSource('s', mirrors, 100, 30);
    mirrors.setSource('s', source);
    let peak = 0;
    for (let next = 0; next < 20_000; next += 200) {
      source.write(lines(next, 200));
      peak = Math.max(peak, mirrors.__unparsedForTest('s'));
    }

    // Never parsed twice, never held: what waits stays under the lazy bound.
    expect(peak).toBeLessThan(limits.lazyBytes);
    expect(held).toEqual([]);
    const snapshot = await mirrors.snapshot('s');
    expect(source.recaptures).toBe(1);
    expect(snapshot.position).toBe(source.written);
    const mirrored = rows(await replay(snapshot));
    const own = rows(await source.screen());
    expect(mirrored.slice(-200)).toEqual(own.slice(-200));
    // Output after the repaint follows it.
    source.write(lines(20_000, 3));
    expect(await mirrors.tail('s', 1)).toEqual(['line 20002 ' + '·'.repeat(20_002 % 70)]);
  });

  it('keeps a repaint bigger than the lazy bound when output follows it at once', async () => {
    const mirrors = pool();
    mirrors.open('s', 100, 30);
    const source = repaintingSource('s', mirrors, 100, 30);
    mirrors.setSource('s', source);
    for (let next = 0; next < 10_000; next += 200) source.write(lines(next, 200));
    // The repaint (about 1 MB of history) and then, in the same read, more output.
    source.afterRepaint = lines(10_000, 5);

    const snapshot = await mirrors.snapshot('s');
    expect(source.recaptures).toBe(1);
    expect(snapshot.position).toBe(source.written);
    expect(rows(await replay(snapshot)).slice(-100)).toEqual(
      rows(await source.screen()).slice(-100),
    );
  });

  it('rebuilds a mirror that let a flood go once the flood is over, without being asked', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    const source = repaintingSource('s', mirrors, 80, 24);
    mirrors.setSource('s', source);
    for (let next = 0; next < 5_000; next += 100) source.write(lines(next, 100));

    await until(() => source.recaptures === 1 && mirrors.__unparsedForTest('s') === 0);
    expect(await mirrors.tail('s', 1)).toEqual(['line 4999 ' + '·'.repeat(4999 % 70)]);
    expect(source.recaptures).toBe(1);
  });

  it('logs a flood that outruns the mirror 10,000 times in a handful of lines', async () => {
    const logged: string[] = [];
    const record = (message: string) => logged.push(message);
    const log: Logger = { debug: record, info: record, warn: record, error: record };
    const mirrorLog = new MirrorLog(log);
    const mirrors = createMirrorPool({
      limits: { ...limits, lazyBytes: 1 },
    });
    pools.push(mirrors);
    mirrors.open('s', 80, 24, mirrorLog.hooksFor('s'));
    const source = repaintingSource('s', mirrors, 80, 24);
    mirrors.setSource('s', source);
    for (let n = 0; n < 10_000; n++) source.write(lines(n, 1));

    await mirrors.snapshot('s');
    mirrorLog.dispose();
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(3);
    expect(logged[0]).toMatch(/a flood outran its mirror/);
  });
});
