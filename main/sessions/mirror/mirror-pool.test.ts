// The mirror pool against a real worker and real headless xterm: a snapshot
// replayed into a fresh terminal must give back what was written.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Terminal } from './headless-terminal';
import { createMirrorPool, type MirrorSnapshot, type TestableMirrorPool } from './mirror-pool';
import { feed, repaintingSource, replay, rows, terminal } from './mirror-testing';

const pools: TestableMirrorPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.dispose()));
});

function pool(options: Parameters<typeof createMirrorPool>[0] = {}): TestableMirrorPool {
  const created = createMirrorPool(options);
  pools.push(created);
  return created;
}

function lastNonEmpty(term: Terminal): string | undefined {
  return rows(term).findLast((row) => row !== '');
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('mirror pool', () => {
  it('snapshots screen and scrollback so a replay shows the same text', async () => {
    const mirrors = pool();
    const output = [
      ...Array.from(
        { length: 60 },
        (_, n) => `\x1b[3${n % 8}mline ${n}\x1b[0m ${'·'.repeat(n)}\r\n`,
      ),
      'wide 日本語 and emoji 🎉\r\n',
      `a line longer than the screen: ${'x'.repeat(150)}\r\n`,
      '\x1b[5;10Hoverwritten in place',
      'prompt $ ',
    ].join('');
    const encoded = bytes(output);
    mirrors.open('s', 80, 24);
    // Splitting inside UTF-8 characters must not matter.
    for (let at = 0; at < encoded.length; at += 7) mirrors.write('s', encoded.subarray(at, at + 7));

    const snapshot = await mirrors.snapshot('s');
    const reference = await feed(terminal(80, 24), encoded);
    const replayed = await replay(snapshot);

    expect(snapshot).toMatchObject({ cols: 80, rows: 24 });
    expect(rows(replayed)).toEqual(rows(reference));
    expect(rows(replayed).length).toBeGreaterThan(24);
    expect(replayed.buffer.active.cursorX).toBe(reference.buffer.active.cursorX);
    expect(replayed.buffer.active.cursorY).toBe(reference.buffer.active.cursorY);
  });

  it('keeps the alternate screen and input modes', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    mirrors.write('s', bytes('normal buffer text\r\n$ '));
    mirrors.write('s', bytes('\x1b[?1049h\x1b[Hfull-screen app'));
    mirrors.write('s', bytes('\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[?1h'));

    const replayed = await replay(await mirrors.snapshot('s'));

    expect(replayed.buffer.active.type).toBe('alternate');
    expect(lastNonEmpty(replayed)).toBe('full-screen app');
    expect(replayed.modes).toMatchObject({
      mouseTrackingMode: 'vt200',
      bracketedPasteMode: true,
      applicationCursorKeysMode: true,
    });
    await feed(replayed, '\x1b[?1049l');
    expect(replayed.buffer.active.type).toBe('normal');
    expect(rows(replayed).slice(0, 2)).toEqual(['normal buffer text', '$ ']);
  });

  it('answers each snapshot with exactly the writes posted before it', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    const pending: Promise<[number, MirrorSnapshot]>[] = [];
    for (let count = 1; count <= 3000; count++) {
      mirrors.write('s', bytes(`${count}\r\n`));
      if (count % 250 === 0 || count === 1) {
        pending.push(mirrors.snapshot('s').then((snapshot) => [count, snapshot]));
      }
    }
    for (const [count, snapshot] of await Promise.all(pending)) {
      expect(lastNonEmpty(await replay(snapshot))).toBe(`${count}`);
    }
  });

  it('keeps the last 10,000 lines of scrollback', async () => {
    const mirrors = pool();
    const output = bytes(Array.from({ length: 12_000 }, (_, n) => `line ${n + 1}\r\n`).join(''));
    mirrors.open('s', 80, 24);
    mirrors.write('s', output);

    const replayed = await replay(await mirrors.snapshot('s'));
    const replayedRows = rows(replayed);

    // 12,000 lines and the empty one the cursor sits on; the screen's 24 rows sit below the scrollback.
    expect(replayedRows).toHaveLength(10_000 + 24);
    expect(replayedRows[0]).toBe(`line ${12_001 - 10_024 + 1}`);
    expect(replayedRows).toEqual(rows(await feed(terminal(80, 24), output)));
  });

  it('applies a resize after the writes before it', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    // With autowrap off, 60 characters written at 40 columns would lose 20;
    // written at 80 and then narrowed, they are reflowed and all kept.
    mirrors.write('s', bytes(`\x1b[?7l${'A'.repeat(60)}\r\n`));
    const before = mirrors.snapshot('s');
    mirrors.resize('s', 40, 10);
    const after = mirrors.snapshot('s');

    expect(await before).toMatchObject({ cols: 80, rows: 24 });
    const narrowed = await after;
    expect(narrowed).toMatchObject({ cols: 40, rows: 10 });
    expect(rows(await replay(narrowed)).join('')).toBe('A'.repeat(60));
  });

  it('resets to an empty screen of the same size', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    mirrors.write('s', bytes(`${'old output\r\n'.repeat(50)}\x1b[?2004h`));
    mirrors.resize('s', 100, 30);
    mirrors.reset('s');
    mirrors.write('s', bytes('fresh shell $ '));

    const snapshot = await mirrors.snapshot('s');
    const replayed = await replay(snapshot);

    expect(snapshot).toMatchObject({ cols: 100, rows: 30 });
    expect(rows(replayed).filter((row) => row !== '')).toEqual(['fresh shell $ ']);
    expect(replayed.modes.bracketedPasteMode).toBe(false);
  });

  it('tails the last non-empty lines, wrapped rows joined', async () => {
    const mirrors = pool();
    mirrors.open('s', 20, 5);
    mirrors.write('s', bytes(`one\r\n\r\ntwo   \r\n${'long'.repeat(10)}\r\nthree\r\n\r\n`));
    // A collection in the worker (after a flood) leaves the mirrors as they are.
    mirrors.collectGarbage();

    expect(await mirrors.tail('s', 2)).toEqual(['long'.repeat(10), 'three']);
    expect(await mirrors.tail('s', 10)).toEqual(['one', 'two', 'long'.repeat(10), 'three']);
  });

  it('tails many mirrors in one answer, leaving out unknown ones and one still parsing a flood', async () => {
    const mirrors = pool();
    mirrors.open('a', 80, 24);
    mirrors.open('b', 80, 24);
    mirrors.open('busy', 80, 24);
    mirrors.write('a', bytes('alpha\r\n'));
    mirrors.write('b', bytes('one\r\ntwo\r\n'));
    expect(await mirrors.tails(['a', 'b', 'missing'], 2, 5_000)).toEqual({
      a: ['alpha'],
      b: ['one', 'two'],
    });
    // Again once idle, when every mirror answers at once.
    expect(await mirrors.tails(['a', 'b'], 1, 5_000)).toEqual({ a: ['alpha'], b: ['two'] });

    // 20 MB takes the worker seconds to parse: its tail is not ready within 20 ms.
    mirrors.write('busy', bytes('flood\r\n'.repeat(2_500_000)));
    const answer = await mirrors.tails(['a', 'busy'], 1, 20);
    expect(answer).toEqual({ a: ['alpha'] });
  });

  it('rejects requests for unknown or closed mirrors', async () => {
    const mirrors = pool();
    await expect(mirrors.snapshot('never-opened')).rejects.toThrow(/no session mirror/);
    mirrors.open('s', 80, 24);
    mirrors.write('s', bytes('text'));
    const beforeClose = mirrors.tail('s', 1);
    mirrors.close('s');
    expect(await beforeClose).toEqual(['text']);
    await expect(mirrors.tail('s', 1)).rejects.toThrow(/no session mirror/);
  });

  it('rejects pending requests when the worker dies; its mirrors start again, behind', async () => {
    const onError = vi.fn();
    const mirrors = pool({ onError });
    mirrors.open('lost', 80, 24);
    mirrors.write('lost', bytes('x'.repeat(4_000_000)));
    const pending = expect(mirrors.snapshot('lost')).rejects.toThrow(/worker exited/);

    await mirrors.__terminateWorkerForTest();

    await pending;
    expect(onError).toHaveBeenCalledOnce();
    // A shell that cannot repaint leaves its mirror unusable (attach then uses the replay)...
    await expect(mirrors.snapshot('lost')).rejects.toThrow(/cannot repaint/);
    // ...until a restart resets it.
    mirrors.reset('lost');
    mirrors.write('lost', bytes('fresh'));
    expect(await mirrors.tail('lost', 1)).toEqual(['fresh']);
    mirrors.open('new', 80, 24);
    mirrors.write('new', bytes('back again'));
    expect(await mirrors.tail('new', 1)).toEqual(['back again']);
  });

  it('rebuilds a mirror lost with its worker from a shell that can repaint', async () => {
    const mirrors = pool({ onError: () => undefined });
    mirrors.open('s', 40, 6);
    const source = repaintingSource('s', mirrors, 40, 6);
    mirrors.setSource('s', source);
    source.write(bytes('before the crash\r\n'));
    expect(await mirrors.tail('s', 1)).toEqual(['before the crash']);

    await mirrors.__terminateWorkerForTest();
    source.write(bytes('after the crash\r\n'));

    const snapshot = await mirrors.snapshot('s');
    expect(rows(await replay(snapshot)).filter(Boolean)).toEqual([
      'before the crash',
      'after the crash',
    ]);
    expect(snapshot.position).toBe(source.written);
  });

  it('rejects pending and later requests once disposed', async () => {
    const mirrors = pool();
    mirrors.open('s', 80, 24);
    mirrors.write('s', bytes('x'.repeat(4_000_000)));
    const pending = expect(mirrors.snapshot('s')).rejects.toThrow(/disposed/);

    await mirrors.dispose();

    await pending;
    await expect(mirrors.snapshot('s')).rejects.toThrow(/disposed/);
  });

  it('parses off the main thread: the event loop keeps turning during a 20 MB write', async () => {
    const mirrors = pool();
    mirrors.open('s', 120, 40);
    const line = `${'0123456789'.repeat(10)}\r\n`;
    mirrors.write('s', bytes(line.repeat(Math.ceil((20 * 1024 * 1024) / line.length))));
    mirrors.write('s', bytes('done\r\n'));

    let ticks = 0;
    let waiting = true;
    const tick = () => {
      ticks++;
      if (waiting) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    const start = performance.eventLoopUtilization();
    const lines = await mirrors.tail('s', 1);
    const busy = performance.eventLoopUtilization(start).utilization;
    waiting = false;

    expect(lines).toEqual(['done']);
    expect(ticks).toBeGreaterThanOrEqual(5);
    // Parsing here would keep this loop busy nearly all the time (xterm yields only every 12 ms).
    expect(busy).toBeLessThan(0.5);
  });
});
