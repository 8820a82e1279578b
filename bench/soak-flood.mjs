// Flood generator for the soak (bench/soak.ts), run inside a Tether terminal:
//   node soak-flood.mjs --seed N --out FILE (--seconds S | --lines N) [--ring BYTES]
// Writes seeded pseudo-random lines at full speed: plain text, SGR colours,
// CJK (two cells each), and now and then a carriage return, cursor movement
// or erase-in-line. At the end it writes the tail of what it emitted to FILE
// (and FILE.json: size, counts, the marker), then prints a marker line and exits.
//
// Why the tail is enough for a reference terminal. Every line starts at
// column 0 with SGR reset and ends with SGR reset + \r\n; lines never contain
// \r\n, never use the alternate screen, scroll regions, tab stops, modes or
// anything else that outlives a line; cursor movement stays within the line
// except a one-row trip up into the line above and back. So the rows a line
// leaves depend only on its own bytes, the line before, and the terminal's
// width. The tail starts just after a \r\n, so a fresh terminal of the same
// size fed the tail differs from the real one only while its screen is not
// yet full (where the cursor sits, the first line's trip up); once a screen
// of lines has scrolled through, both hold the same rows. The tail is ~4 MiB,
// tens of thousands of lines, so the final screen and the last thousand
// scrollback lines are the same as from parsing everything. Emitting \r\n
// ourselves makes the tty's onlcr (\n → \r\n) irrelevant: it turns our \r\n
// into \r\r\n, which lands in the same place.
//
// Why the lines avoid some corners. The soak judges what a flood does to
// Tether, so any faithful terminal must end with the same text: xterm.js (the
// mirror, the reference) and tmux (whose screen a tmux session is repainted
// from when it falls behind) disagree on a few things, and xterm's serializer
// and tmux's joined captures lose others, with or without a flood. So cursor
// movement and erases happen only on a line's first row, never at its last
// two columns (no pending-wrap state) and never over a wide character; a
// wide character never straddles a row's end (a narrow one takes its place);
// a trip up writes over narrow text of the row above, never past its end.
import { writeFileSync } from 'node:fs';
import { random } from './seeded-random.mjs';

const CJK = '漢字仮名表示端末東京大阪中文测试终端輸出流水線会話窓画面行列色文字';
const WORDS = ['flood', 'soak', 'mirror', 'tether', 'pane', 'scroll', 'byte', 'line', 'quick'];

/** Makes the flood's lines for a terminal `cols` wide: some shorter than a row, some wrapping. */
function lineMaker(next, cols) {
  const pick = (count) => Math.floor(next() * count);
  const word = () => WORDS[pick(WORDS.length)];
  const colour = () =>
    `\x1b[${pick(2) ? '1;' : ''}${pick(3) === 0 ? `38;5;${pick(256)}` : `${30 + pick(8)};${40 + pick(8)}`}m`;
  // The previous line's last row: one past its last written cell, and its wide cells.
  let above = { end: 0, wide: new Set() };
  return (index) => {
    const target = 1 + pick(Math.floor(cols * 1.6));
    let line = `\x1b[0m${index} `;
    let col = String(index).length + 1;
    let row = { end: col, wide: new Set() };
    // First row: narrow text and up to three moves, the cursor kept off the last two columns.
    for (let moves = 0; col < target; row.end = Math.max(row.end, col)) {
      const kind = pick(20);
      if (kind < 14 || moves === 3) {
        const text = word();
        if (col + text.length + 1 > cols - 2) break;
        line += kind < 8 ? `${text} ` : `${colour()}${text}\x1b[0m `;
        col += text.length + 1;
        continue;
      }
      moves++;
      if (kind === 14) {
        // Back up and overwrite.
        const count = 1 + pick(4);
        line += `\x1b[${count}D#`;
        col = Math.max(0, col - count) + 1;
      } else if (kind === 15) {
        // Erase to the end of the row (0), its start (1) or all of it (2).
        line += `\x1b[${pick(3)}K`;
      } else if (kind === 16) {
        line += `\r\x1b[7m${index}\x1b[0m`;
        col = String(index).length;
      } else if (kind === 17) {
        // Jump back within what is written.
        const to = pick(col + 1);
        line += `\x1b[${to + 1}G*`;
        col = to + 1;
      } else {
        // A one-row trip up: mark a narrow cell of the line above, come back.
        const to = pick(Math.min(above.end, cols - 3));
        if (above.end === 0 || above.wide.has(to)) continue;
        line += `\x1b[A\x1b[${to + 1}G\x1b[33m^\x1b[0m\x1b[B`;
        col = to + 1;
      }
    }
    // The rest: text only, wrapping; `col === cols` is the pending wrap.
    let wrapped = 0;
    const wrap = () => {
      if (col < cols) return;
      [col, row] = [0, { end: 0, wide: new Set() }];
      wrapped++;
    };
    const put = (text) => {
      for (const char of text) {
        wrap();
        line += char;
        col++;
        row.end = Math.max(row.end, col);
      }
    };
    while (wrapped * cols + col < target) {
      const kind = pick(10);
      if (kind < 4) put(`${word()} `);
      else if (kind < 7) {
        line += colour();
        put(word());
        line += '\x1b[0m';
        put(' ');
      } else {
        for (let count = 1 + pick(4); count > 0; count--) {
          wrap();
          if (col === cols - 1) {
            put('.');
            continue;
          }
          line += CJK[pick(CJK.length)];
          row.wide.add(col).add(col + 1);
          col += 2;
          row.end = Math.max(row.end, col);
        }
        put(' ');
      }
    }
    above = row;
    return `${line}\x1b[0m\r\n`;
  };
}

/** Keeps the last `size` bytes written to it. */
class Ring {
  constructor(size) {
    this.buffer = Buffer.alloc(size);
    this.total = 0;
  }

  push(chunk) {
    const { buffer } = this;
    if (chunk.length > buffer.length) {
      // Only its last buffer's worth can survive; the bytes before it count as written.
      this.total += chunk.length - buffer.length;
      chunk = chunk.subarray(chunk.length - buffer.length);
    }
    const at = this.total % buffer.length;
    const first = Math.min(chunk.length, buffer.length - at);
    chunk.copy(buffer, at, 0, first);
    chunk.copy(buffer, 0, first);
    this.total += chunk.length;
  }

  /** What the ring holds, oldest first; cut to start after a \r\n when older bytes were lost. */
  tail() {
    const { buffer, total } = this;
    if (total <= buffer.length) return Buffer.from(buffer.subarray(0, total));
    const at = total % buffer.length;
    const whole = Buffer.concat([buffer.subarray(at), buffer.subarray(0, at)]);
    return whole.subarray(whole.indexOf('\r\n') + 2);
  }
}

/** The last line, as the screen shows it (the meta file names it for whoever waits on it). */
function markerText(seed) {
  return `soak-flood ${seed} done`;
}

function parseArgs(argv) {
  const options = { seed: 1, seconds: Infinity, lines: Infinity, ring: 4 * 1024 * 1024, out: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    options[name] = name === 'out' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!options.out) throw new Error('--out FILE is required');
  return options;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const cols = process.stdout.columns || 80;
  const rows = process.stdout.rows || 24;
  const makeLine = lineMaker(random(options.seed), cols);
  const ring = new Ring(options.ring);
  const deadline = Date.now() + options.seconds * 1000;
  let lines = 0;
  // Writes to a TTY (and a pipe) are synchronous in Node on Linux: this runs as fast as
  // the terminal takes bytes, and the clock is checked once per chunk.
  while (lines < options.lines && Date.now() < deadline) {
    let text = '';
    for (let i = 0; i < 64 && lines < options.lines; i++) text += makeLine(lines++);
    const chunk = Buffer.from(text);
    ring.push(chunk);
    process.stdout.write(chunk);
  }
  const marker = Buffer.from(`\x1b[0m${markerText(options.seed)}\r\n`);
  ring.push(marker);
  // The file is complete before the marker shows: whoever sees the marker may read it.
  writeFileSync(options.out, ring.tail());
  const meta = {
    seed: options.seed,
    cols,
    rows,
    lines,
    bytes: ring.total,
    marker: markerText(options.seed),
  };
  writeFileSync(`${options.out}.json`, JSON.stringify(meta));
  process.stdout.write(marker);
}

main();
