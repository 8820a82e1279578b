/**
 * The benchmark's text: deterministic lines of mixed ASCII and UTF-8, written
 * to a file for `cat` and generated again in the page for the bare baseline.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Kept as source text so the page can build the very same generator. */
export const LINE_SOURCE = `(i) => 'line ' + String(i).padStart(8, '0') + ' the quick brown fox jumps over the lazy dog — ✓ tether ' + (i % 97) + '\\n'`;
const makeLine = (0, eval)(LINE_SOURCE) as (i: number) => string;

/** Write lines until `bytes` are reached; returns the exact size, line count and last line. */
export function writeContent(
  file: string,
  bytes: number,
): { bytes: number; lines: number; lastLine: string } {
  const fd = openSync(file, 'w');
  let written = 0;
  let lines = 0;
  try {
    while (written < bytes) {
      let block = '';
      for (let k = 0; k < 4096; k++) block += makeLine(lines + k);
      const buffer = Buffer.from(block);
      writeSync(fd, buffer);
      written += buffer.byteLength;
      lines += 4096;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: written, lines, lastLine: makeLine(lines - 1).trimEnd() };
}
