/**
 * The control-mode parser against bytes recorded from real tmux 3.3a (see
 * fixtures/README.md), split anywhere, plus property tests of the octal
 * escaping and of synthetic streams.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ControlBlock, ControlEvent } from './control-parser';
import { ControlParser, decodeOctal, encodeOctal } from './control-parser';

const fixtureNames = [
  'shell-output',
  'long-output',
  'command-replies',
  'pause-continue',
  'server-pause',
  'layout-change',
  'exit-kill-session',
  'exit-server-killed',
] as const;

const mebibyte = 1024 * 1024;

function fixture(name: (typeof fixtureNames)[number]): Buffer {
  return readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url));
}

function parse(chunks: Buffer[]): { events: ControlEvent[]; parser: ControlParser } {
  const events: ControlEvent[] = [];
  const parser = new ControlParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

/** Events as one string, so thousands of runs compare cheaply and byte-exactly. */
function canonical(events: ControlEvent[]): string {
  return JSON.stringify(
    events.map((event) => {
      if (event.type === 'output') return { ...event, data: event.data.toString('latin1') };
      if (event.type === 'block') {
        const lines = event.block.lines.map((line) => line.toString('latin1'));
        return { ...event, block: { ...event.block, lines } };
      }
      return event;
    }),
  );
}

/** The bytes split at the given offsets. */
function splitAt(bytes: Buffer, offsets: number[]): Buffer[] {
  const sorted = [...new Set(offsets)].sort((left, right) => left - right);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const offset of sorted) {
    chunks.push(bytes.subarray(from, offset));
    from = offset;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function outputText(events: ControlEvent[], pane = '%0'): string {
  const data = events.flatMap((event) =>
    event.type === 'output' && event.pane === pane ? [event.data] : [],
  );
  return Buffer.concat(data).toString('utf8');
}

function blocks(events: ControlEvent[]): ControlBlock[] {
  return events.flatMap((event) => (event.type === 'block' ? [event.block] : []));
}

function blockText(block: ControlBlock): string[] {
  return block.lines.map((line) => line.toString('utf8'));
}

/** Events other than output and blocks, in order. */
function others(events: ControlEvent[]): ControlEvent[] {
  return events.filter((event) => event.type !== 'output' && event.type !== 'block');
}

describe('recorded tmux 3.3a streams', () => {
  it('shell output: octal escapes decode to the exact bytes the shell wrote', () => {
    const { events, parser } = parse([fixture('shell-output')]);
    const text = outputText(events);
    // The echoed command line: its backslashes came over the wire as \134.
    expect(text).toContain(String.raw`printf 'esc:\033[1;31mred\033[0m tab:\there back:\\`);
    expect(text).toContain('esc:\x1b[1;31mred\x1b[0m tab:\there back:\\ bell:\x07 cr:\rCR\r\n');
    expect(text).toContain('utf8: é 日本 😀 done\r\nMARK42\r\n\x1b[?2004h$ ');
    expect(events.every((event) => event.type !== 'output' || event.pane === '%0')).toBe(true);
    expect(others(events)).toEqual([
      { type: 'notification', name: 'session-changed', args: '$0 s' },
      { type: 'exit', reason: null },
    ]);
    const replies = blocks(events);
    expect(replies.map((block) => [block.ok, block.flags, block.lines.length])).toEqual([
      [true, 0, 0],
      [true, 1, 0],
      [true, 1, 0],
      [true, 1, 0],
      [true, 1, 0],
    ]);
    expect(replies[1]?.number).toBe((replies[0]?.number ?? 0) + 5);
    expect(parser.strayLines).toBe(0);
  });

  it('long output: 150 UTF-8 lines with colour come through intact', () => {
    const { events } = parse([fixture('long-output')]);
    const text = outputText(events);
    const lines = Array.from(
      { length: 150 },
      (_, index) => `${String(index + 1).padStart(3, '0')} é日😀 \x1b[32mok\x1b[0m\r\n`,
    );
    expect(text).toContain(`\x1b[?2004l\r${lines.join('')}END2\r\n`);
    expect(events.at(-1)).toEqual({ type: 'exit', reason: null });
  });

  it('command replies: contents, an %error, and lines that only look like protocol', () => {
    const { events } = parse([fixture('command-replies')]);
    const replies = blocks(events).filter((block) => block.flags === 1);
    expect(replies.map((block) => block.ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      true,
      true,
    ]);
    expect(blockText(replies[0] as ControlBlock)).toEqual([
      expect.stringMatching(/^s: 1 windows \(created .+\) \(attached\)$/),
    ]);
    expect(blockText(replies[1] as ControlBlock)).toEqual(['@0 env 80x24']);
    // `display -p` printed these; their numbers differ from the block's, so they are content.
    expect(blockText(replies[2] as ControlBlock)).toEqual(['%end 1 2 1']);
    expect(blockText(replies[3] as ControlBlock)).toEqual(['%begin 1 2 1']);
    // The protocol cannot tell a printed "%pause %9" from tmux's own: it becomes an event.
    expect(blockText(replies[4] as ControlBlock)).toEqual([]);
    // Reply lines are raw, not octal-escaped.
    expect(blockText(replies[5] as ControlBlock)).toEqual(['tab[\t] back[\\\\] utf8[é日本]']);
    expect(blockText(replies[6] as ControlBlock)).toEqual(["can't find session: nosuch"]);
    expect(blockText(replies[8] as ControlBlock)).toEqual(['LAST']);
    expect(others(events)).toEqual([
      { type: 'notification', name: 'session-changed', args: '$0 s' },
      { type: 'pause', pane: '%9' },
      { type: 'notification', name: 'unlinked-window-add', args: '@1' },
      { type: 'notification', name: 'sessions-changed', args: '' },
      { type: 'notification', name: 'window-renamed', args: '@0 bash' },
      { type: 'exit', reason: null },
    ]);
  });

  it('pause mode: %extended-output is output; %pause/%continue inside blocks are events', () => {
    const { events } = parse([fixture('pause-continue')]);
    const text = outputText(events);
    expect(text).toContain('echo ext$((2*3))\r\n\x1b[?2004l\rext6\r\n');
    expect(text).toContain('\rafter9\r\n');
    const pauseAt = events.findIndex((event) => event.type === 'pause');
    expect(events[pauseAt]).toEqual({ type: 'pause', pane: '%0' });
    // Emitted before the block that carried it, and not part of its lines.
    expect(events[pauseAt + 1]).toMatchObject({ type: 'block', block: { ok: true, lines: [] } });
    const continueAt = events.findIndex((event) => event.type === 'continue');
    expect(events[continueAt]).toEqual({ type: 'continue', pane: '%0' });
    expect(events[continueAt + 1]).toMatchObject({ type: 'block', block: { ok: true, lines: [] } });
    expect(outputText(events.slice(continueAt))).toContain('after9');
    expect(blocks(events).every((block) => block.lines.length === 0)).toBe(true);
  });

  it('a stalled reader: tmux sends %pause itself, outside any block', () => {
    const { events } = parse([fixture('server-pause')]);
    const pauseAt = events.findIndex((event) => event.type === 'pause');
    expect(pauseAt).toBeGreaterThan(0);
    expect(events[pauseAt]).toEqual({ type: 'pause', pane: '%0' });
    expect(events[pauseAt - 1]?.type).toBe('block');
    expect(events[pauseAt + 1]).toEqual({ type: 'continue', pane: '%0' });
    expect(outputText(events)).toContain('back4\r\n');
    expect(outputText(events)).not.toContain('line-');
  });

  it('layout change after refresh-client -C', () => {
    const { events } = parse([fixture('layout-change')]);
    expect(others(events)).toEqual([
      { type: 'notification', name: 'session-changed', args: '$0 s' },
      {
        type: 'notification',
        name: 'layout-change',
        args: '@0 a87d,100x30,0,0,0 a87d,100x30,0,0,0 *',
      },
      { type: 'notification', name: 'window-renamed', args: '@0 bash' },
      { type: 'exit', reason: null },
    ]);
    // bash redraws its prompt on SIGWINCH.
    expect(outputText(events)).toBe('\r\x1b[K\r$ ');
  });

  it('%exit after kill-session, and with a reason after SIGKILL of the server', () => {
    const killed = parse([fixture('exit-kill-session')]).events;
    expect(others(killed).slice(-2)).toEqual([
      { type: 'notification', name: 'sessions-changed', args: '' },
      { type: 'exit', reason: null },
    ]);
    const crashed = parse([fixture('exit-server-killed')]).events;
    expect(blockText(blocks(crashed)[1] as ControlBlock)).toEqual([
      expect.stringMatching(/^pid=\d+$/),
    ]);
    expect(crashed.at(-1)).toEqual({ type: 'exit', reason: 'server exited unexpectedly' });
  });

  it.each(fixtureNames)('%s: the same events when split at every offset', (name) => {
    const bytes = fixture(name);
    const whole = canonical(parse([bytes]).events);
    const differing: number[] = [];
    for (let offset = 0; offset <= bytes.length; offset++) {
      if (canonical(parse(splitAt(bytes, [offset])).events) !== whole) differing.push(offset);
    }
    expect(differing).toEqual([]);
    const single = Array.from({ length: bytes.length }, (_, index) =>
      bytes.subarray(index, index + 1),
    );
    expect(canonical(parse(single).events)).toBe(whole);
  });

  it.each(fixtureNames)('%s: the same events when split at random offsets', (name) => {
    const bytes = fixture(name);
    const whole = canonical(parse([bytes]).events);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (offsets) => {
        expect(canonical(parse(splitAt(bytes, offsets)).events)).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });
});

describe('octal escaping', () => {
  it('decodes \\ooo and keeps anything else as is', () => {
    expect(decodeOctal(Buffer.from(String.raw`a\134b\033[0m\015\012`))).toEqual(
      Buffer.from('a\\b\x1b[0m\r\n'),
    );
    expect(decodeOctal(Buffer.from(String.raw`\377\000`))).toEqual(Buffer.from([0xff, 0]));
    // Not three octal digits, or above one byte: not an escape.
    for (const kept of [
      String.raw`\9`,
      String.raw`\400`,
      String.raw`\08a`,
      String.raw`x\12`,
      '\\',
    ]) {
      expect(decodeOctal(Buffer.from(kept))).toEqual(Buffer.from(kept));
    }
    expect(decodeOctal(Buffer.from('é 日本 😀'))).toEqual(Buffer.from('é 日本 😀'));
  });

  it('encodes like tmux: bytes below 0x20 and backslash, nothing else', () => {
    expect(encodeOctal(Buffer.from('a\\b\x1b\t\x7fé'))).toEqual(
      Buffer.from(String.raw`a\134b\033\011` + '\x7fé'),
    );
  });

  it('round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
        const encoded = encodeOctal(Buffer.from(raw));
        expect(encoded.some((byte) => byte < 0x20)).toBe(false);
        expect(decodeOctal(encoded)).toEqual(Buffer.from(raw));
      }),
    );
  });

  it('round-trips long inputs that do not fit the reused decode buffer', () => {
    const raw = Buffer.alloc(200_000, 'a\x1b\\é');
    expect(decodeOctal(encodeOctal(raw)).equals(raw)).toBe(true);
  });

  it('an %output line of arbitrary bytes, split anywhere, yields exactly those bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (raw, cuts) => {
          const stream = Buffer.concat([
            Buffer.from('%output %1 '),
            encodeOctal(Buffer.from(raw)),
            Buffer.from('\n'),
          ]);
          const offsets = cuts.map((cut) => cut % (stream.length + 1));
          const { events } = parse(splitAt(stream, offsets));
          expect(events).toEqual([{ type: 'output', pane: '%1', data: Buffer.from(raw) }]);
        },
      ),
    );
  });
});

describe('synthetic streams', () => {
  /** A protocol line as bytes, plus the events it should produce. */
  type Piece = { bytes: Buffer; events: ControlEvent[] };

  const outputPiece = fc
    .tuple(fc.nat({ max: 99 }), fc.uint8Array({ maxLength: 80 }), fc.boolean())
    .map(([pane, raw, extended]): Piece => {
      const data = Buffer.from(raw);
      const head = extended ? `%extended-output %${pane} 12 : ` : `%output %${pane} `;
      return {
        bytes: Buffer.concat([Buffer.from(head), encodeOctal(data), Buffer.from('\n')]),
        events: [{ type: 'output', pane: `%${pane}`, data }],
      };
    });

  // Content lines: anything without a newline, including look-alikes of other blocks' guards.
  const contentLine = fc.oneof(
    fc.uint8Array({ maxLength: 40 }).map((raw) => Buffer.from(raw.filter((byte) => byte !== 0x0a))),
    fc
      .constantFrom('%end 1 2 1', '%error 7 7 1', '%begin 5 5 1', '%output %1 x', '%exit', '')
      .map((text) => Buffer.from(text)),
  );

  const blockPiece = fc
    .tuple(
      fc.nat({ max: 9 }),
      fc.nat({ max: 9 }),
      fc.boolean(),
      fc.array(fc.oneof(contentLine, fc.nat({ max: 9 })), { maxLength: 6 }),
    )
    .map(([time, number, ok, items]): Piece => {
      const guard = `${1_700_000_000 + time} ${number} 1`;
      const lines: Buffer[] = [];
      const events: ControlEvent[] = [];
      const bytes = [Buffer.from(`%begin ${guard}\n`)];
      for (const item of items) {
        if (typeof item === 'number') {
          const type = item % 2 === 0 ? 'pause' : 'continue';
          bytes.push(Buffer.from(`%${type} %${item}\n`));
          events.push({ type, pane: `%${item}` });
        } else {
          const text = item.toString('latin1');
          const closes = new RegExp(`^%(end|error) ${guard.replace(/ 1$/, '')} \\d+$`);
          const flow = /^%(pause|continue) %\d+$/;
          if (closes.test(text) || flow.test(text)) continue;
          bytes.push(item, Buffer.from('\n'));
          lines.push(item);
        }
      }
      bytes.push(Buffer.from(`%${ok ? 'end' : 'error'} ${guard}\n`));
      const flags = 1;
      events.push({
        type: 'block',
        block: { ok, time: 1_700_000_000 + time, number, flags, lines },
      });
      return { bytes: Buffer.concat(bytes), events };
    });

  const noticePiece = fc
    .constantFrom(
      ['%exit\n', { type: 'exit', reason: null }],
      ['%exit too far behind\n', { type: 'exit', reason: 'too far behind' }],
      ['%sessions-changed\n', { type: 'notification', name: 'sessions-changed', args: '' }],
      ['%window-add @3\r\n', { type: 'notification', name: 'window-add', args: '@3\r' }],
      ['%pause %4\n', { type: 'pause', pane: '%4' }],
      ['%continue %4\n', { type: 'continue', pane: '%4' }],
    )
    .map(([text, event]): Piece => ({ bytes: Buffer.from(text), events: [event as ControlEvent] }));

  it('any mix of output, blocks and notifications, split anywhere, gives the expected events', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(outputPiece, blockPiece, noticePiece), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (pieces, cuts) => {
          const stream = Buffer.concat(pieces.map((piece) => piece.bytes));
          const offsets = cuts.map((cut) => cut % (stream.length + 1));
          const { events, parser } = parse(splitAt(stream, offsets));
          expect(canonical(events)).toBe(canonical(pieces.flatMap((piece) => piece.events)));
          expect(parser.strayLines).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a block ends only at %end/%error with its own time and number', () => {
    const { events } = parse([
      Buffer.from(
        [
          '%begin 100 5 1',
          '%end 100 6 1',
          '%end 99 5 1',
          '%error 101 5 1',
          '%end 100 5',
          '%end 100 5 1 trailing',
          '%begin 100 6 1',
          '%pause later',
          '%continue %1 extra',
          'plain\r',
          '',
          '%error 100 5 1',
          '%begin 200 7 0',
          '%end 200 7 0',
          '',
        ].join('\n'),
      ),
    ]);
    expect(canonical(events)).toBe(
      canonical([
        {
          type: 'block',
          block: {
            ok: false,
            time: 100,
            number: 5,
            flags: 1,
            lines: [
              '%end 100 6 1',
              '%end 99 5 1',
              '%error 101 5 1',
              '%end 100 5',
              '%end 100 5 1 trailing',
              '%begin 100 6 1',
              '%pause later',
              '%continue %1 extra',
              'plain\r',
              '',
            ].map((line) => Buffer.from(line)),
          },
        },
        { type: 'block', block: { ok: true, time: 200, number: 7, flags: 0, lines: [] } },
      ]),
    );
  });

  it('keeps no views into chunks the caller reuses', () => {
    const chunk = Buffer.alloc(64);
    const { events, parser } = parse([]);
    const feed = (text: string): void => {
      chunk.fill(0x2e);
      parser.push(chunk.subarray(0, chunk.write(text, 'latin1')));
    };
    feed('%output %1 hel');
    feed('lo\n%begin 1 2 1\nline one\nline ');
    feed('two\n%end 1 2 1\n%output %1 par');
    feed('tial\n');
    chunk.fill(0x2e);
    expect(canonical(events)).toBe(
      canonical([
        { type: 'output', pane: '%1', data: Buffer.from('hello') },
        {
          type: 'block',
          block: {
            ok: true,
            time: 1,
            number: 2,
            flags: 1,
            lines: [Buffer.from('line one'), Buffer.from('line two')],
          },
        },
        { type: 'output', pane: '%1', data: Buffer.from('partial') },
      ]),
    );
  });

  it('%extended-output data starts after the first " : ", past any extra fields', () => {
    const { events } = parse([Buffer.from('%extended-output %2 10 future : a : b\\134\n')]);
    expect(events).toEqual([{ type: 'output', pane: '%2', data: Buffer.from('a : b\\') }]);
  });

  it('counts non-% lines outside blocks and ignores them', () => {
    const { events, parser } = parse([Buffer.from('hello\n\n%exit\n')]);
    expect(events).toEqual([{ type: 'exit', reason: null }]);
    expect(parser.strayLines).toBe(2);
  });

  it('end() drops a trailing partial line and an unfinished block, and reports the bytes', () => {
    const { events, parser } = parse([
      Buffer.from('%output %1 abc\n%begin 1 2 1\nreply\n%end 1 2'),
    ]);
    expect(parser.end()).toBe('%end 1 2'.length);
    expect(parser.droppedBytes).toBe('%end 1 2'.length);
    expect(events).toEqual([{ type: 'output', pane: '%1', data: Buffer.from('abc') }]);
    expect(parser.end()).toBe(0);
    parser.push(Buffer.from('1\n%exit\n'));
    // The leftover "1" is a stray line of a fresh stream, not the end of the old block.
    expect(events.at(-1)).toEqual({ type: 'exit', reason: null });
    expect(events.some((event) => event.type === 'block')).toBe(false);
    expect(parser.strayLines).toBe(1);
  });
});

describe('memory bound', () => {
  const limit = 64 * mebibyte;

  it('drops a line that grows past 64 MiB without a newline, and keeps none of it', () => {
    const { events, parser } = parse([]);
    parser.push(Buffer.from('%output %1 '));
    const filler = Buffer.alloc(mebibyte, 'a');
    for (let index = 0; index < 100; index++) parser.push(filler);
    expect(parser.droppedBytes).toBe(100 * mebibyte + '%output %1 '.length);
    expect(parser.end()).toBe(0);

    parser.push(Buffer.from('%output %1 '));
    for (let index = 0; index < 65; index++) parser.push(filler);
    parser.push(Buffer.from('tail\n%output %1 ok\n'));
    expect(parser.droppedBytes).toBe(
      100 * mebibyte + 65 * mebibyte + 2 * '%output %1 '.length + 'tail\n'.length,
    );
    expect(events).toEqual([{ type: 'output', pane: '%1', data: Buffer.from('ok') }]);
  });

  it('drops an oversize line that arrives whole, but keeps one of exactly 64 MiB', () => {
    const head = Buffer.from('%output %1 ');
    const exact = Buffer.alloc(limit + 1, 'b');
    head.copy(exact);
    exact[limit] = 0x0a;
    const { events, parser } = parse([exact]);
    expect(parser.droppedBytes).toBe(0);
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'output' && events[0].data.length).toBe(limit - head.length);

    const over = Buffer.alloc(limit + 2, 'b');
    head.copy(over);
    over[limit + 1] = 0x0a;
    parser.push(over);
    parser.push(Buffer.from('%exit\n'));
    expect(parser.droppedBytes).toBe(limit + 2);
    expect(events.at(-1)).toEqual({ type: 'exit', reason: null });
    expect(events).toHaveLength(2);
  });
});

describe('throughput (printed, not asserted: the machine is noisy)', () => {
  // Measured on the shared 2-vCPU VM (MB/s of decoded output, 4 KiB %output lines):
  //   decodeOctal: plain ~600-1100, base64 + CR LF ~170-350, ESC-heavy ~100-175
  //   parser:      plain ~550-1100, base64 + CR LF ~190-310, ESC-heavy ~70-180
  // tmux itself delivers ~12-15 MB/s, so the parser is far from the bottleneck.
  it('decodes and parses plain, CR LF and escape-heavy output', () => {
    const samples = {
      plain: Buffer.alloc(32 * mebibyte, 'The quick brown fox 0123456789 '),
      'base64 + CR LF': Buffer.alloc(
        16 * mebibyte,
        'TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsuTWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsuTWFu\r\n',
      ),
      'ESC-heavy': Buffer.alloc(8 * mebibyte, '\x1b[32mok\x1b[0m\r\n'),
    };
    const report: string[] = [];
    const rate = (bytes: number, run: () => number): [number, string] => {
      run(); // warm up the JIT
      const started = performance.now();
      const result = run();
      const seconds = (performance.now() - started) / 1000;
      return [result, `${(bytes / mebibyte / seconds).toFixed(0)} MB/s`];
    };
    for (const [label, raw] of Object.entries(samples)) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < raw.length; at += 4096)
        pieces.push(encodeOctal(raw.subarray(at, at + 4096)));
      const stream = Buffer.concat(
        pieces.flatMap((piece) => [Buffer.from('%output %3 '), piece, Buffer.from('\n')]),
      );
      const [decoded, decodeRate] = rate(raw.length, () => {
        let total = 0;
        for (const piece of pieces) total += decodeOctal(piece).length;
        return total;
      });
      const [parsed, parseRate] = rate(raw.length, () => {
        let total = 0;
        const parser = new ControlParser((event) => {
          if (event.type === 'output') total += event.data.length;
        });
        // 64 KiB reads, as from a pipe: lines straddle chunks.
        for (let at = 0; at < stream.length; at += 65536)
          parser.push(stream.subarray(at, at + 65536));
        return total;
      });
      report.push(`${label}: decodeOctal ${decodeRate}, parser ${parseRate}`);
      expect([decoded, parsed]).toEqual([raw.length, raw.length]);
    }
    console.log(report.join('\n'));
  });
});
