/**
 * The benchmark's text: deterministic lines of mixed ASCII and UTF-8, written
 * to a file for `cat` and generated again in the page for the bare baseline.
 */
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A bench file of `megabytes` MiB in a fresh temp dir (the caller removes `work`). */
export function benchFile(megabytes: number) {
  const work = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const file = join(work, 'bench.txt');
  const content = writeContent(file, megabytes * 1024 * 1024);
  return {
    work,
    file,
    content,
    // A tty turns every \n into \r\n on the way out (a remote one too).
    streamBytes: content.bytes + content.lines,
    mib: content.bytes / 1048576,
  };
}
