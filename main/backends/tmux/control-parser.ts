/**
 * Parses the byte stream of a tmux control-mode client (`tmux -u -C`, over
 * pipes) into events: reply blocks, pane output, flow control, exit and
 * notifications. Pure: bytes in, events out, no I/O.
 */

/** One reply block: %begin … %end (ok) or %begin … %error (ok false). */
export type ControlBlock = {
  ok: boolean;
  time: number;
  number: number;
  flags: number;
  lines: Buffer[];
};

export type ControlEvent =
  | { type: 'block'; block: ControlBlock }
  /** From %output and %extended-output; pane like '%3', data already decoded. */
  | { type: 'output'; pane: string; data: Buffer }
  /** Also inside a reply block (refresh-client -A), then not among its lines. */
  | { type: 'pause'; pane: string }
  | { type: 'continue'; pane: string }
  /** %exit, or %exit <reason> such as 'server exited unexpectedly'. */
  | { type: 'exit'; reason: string | null }
  /** Any other %-line outside a block, e.g. name 'layout-change', args '@1 b25d,80x24,0,0,1 …'. */
  | { type: 'notification'; name: string; args: string };

const newline = 0x0a;
const backslash = 0x5c;
const percent = 0x25;
const space = 0x20;

/** Beyond this a line is a protocol error, not output: tmux splits pane output far below it. */
const maxLineBytes = 64 * 1024 * 1024;

const outputPrefix = Buffer.from('%output ');
const extendedOutputPrefix = Buffer.from('%extended-output ');
const extendedOutputSeparator = Buffer.from(' : ');
const beginPrefix = Buffer.from('%begin ');
const endPrefix = Buffer.from('%end ');
const errorPrefix = Buffer.from('%error ');
const pausePrefix = Buffer.from('%pause ');
const continuePrefix = Buffer.from('%continue ');
const exitPrefix = Buffer.from('%exit');

const blockGuard = /^(\d+) (\d+) (\d+)$/;
/** Strict, so a reply line that merely starts with "%pause" stays content. */
const paneId = /^%\d+$/;

/** Reused for decoding; a line longer than this gets its own buffer. */
const scratch = Buffer.allocUnsafe(64 * 1024);

type OpenBlock = { time: number; number: number; flags: number; lines: Buffer[] };

export class ControlParser {
  private strays = 0;
  private dropped = 0;
  /** Pieces of the line not yet ended by a newline (copies: callers may reuse their chunks). */
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** Inside an oversize line: skip up to its newline. */
  private skipping = false;
  private block: OpenBlock | null = null;

  constructor(private readonly onEvent: (event: ControlEvent) => void) {}

  /** Non-% lines outside a block: tmux should never send them. */
  get strayLines(): number {
    return this.strays;
  }

  /** Bytes of dropped lines: those over 64 MiB, and a partial line at end(). */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** Feed bytes exactly as read from tmux's stdout; chunks split anywhere (mid-line, mid-UTF-8, mid-escape). Events are emitted synchronously, in stream order. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(newline, start);
      if (end === -1) {
        this.keep(chunk, start);
        return;
      }
      if (this.skipping) {
        this.dropped += end + 1 - start;
        this.skipping = false;
      } else if (this.carryLength > 0) {
        const length = this.carryLength + end - start;
        this.carry.push(chunk.subarray(start, end));
        const line = Buffer.concat(this.carry, length);
        this.carry = [];
        this.carryLength = 0;
        if (length > maxLineBytes) this.dropped += length + 1;
        else this.line(line);
      } else if (end - start > maxLineBytes) {
        this.dropped += end + 1 - start;
      } else {
        this.line(chunk.subarray(start, end));
      }
      start = end + 1;
    }
  }

  /** The stream ended: a trailing partial line is dropped (returned count of dropped bytes for logging). */
  end(): number {
    const dropped = this.carryLength;
    this.dropped += dropped;
    this.carry = [];
    this.carryLength = 0;
    this.skipping = false;
    this.block = null;
    return dropped;
  }

  private keep(chunk: Buffer, start: number): void {
    const length = chunk.length - start;
    if (this.skipping) {
      this.dropped += length;
    } else if (this.carryLength + length > maxLineBytes) {
      this.dropped += this.carryLength + length;
      this.carry = [];
      this.carryLength = 0;
      this.skipping = true;
    } else {
      this.carry.push(Buffer.from(chunk.subarray(start)));
      this.carryLength += length;
    }
  }

  /** One line without its newline; may be a view into the caller's chunk. */
  private line(line: Buffer): void {
    if (this.block) this.blockLine(this.block, line);
    else if (line[0] === percent) this.notice(line);
    else this.strays++;
  }

  private blockLine(block: OpenBlock, line: Buffer): void {
    if (line[0] === percent) {
      const ok = startsWith(line, endPrefix);
      if (ok || startsWith(line, errorPrefix)) {
        const guard = parseGuard(line, ok ? endPrefix.length : errorPrefix.length);
        if (guard && guard.time === block.time && guard.number === block.number) {
          this.block = null;
          this.onEvent({ type: 'block', block: { ok, ...block } });
          return;
        }
      }
      // tmux 3.3a prints these inside the reply block of `refresh-client -A`.
      const pane = flowPane(line);
      if (pane) {
        this.onEvent(pane);
        return;
      }
    }
    block.lines.push(Buffer.from(line));
  }

  private notice(line: Buffer): void {
    if (startsWith(line, outputPrefix)) {
      const paneEnd = line.indexOf(space, outputPrefix.length);
      if (paneEnd !== -1) {
        const pane = line.toString('latin1', outputPrefix.length, paneEnd);
        this.onEvent({ type: 'output', pane, data: decodeRange(line, paneEnd + 1, line.length) });
        return;
      }
    } else if (startsWith(line, extendedOutputPrefix)) {
      const paneEnd = line.indexOf(space, extendedOutputPrefix.length);
      const separator = line.indexOf(extendedOutputSeparator, paneEnd);
      if (paneEnd !== -1 && separator !== -1) {
        const pane = line.toString('latin1', extendedOutputPrefix.length, paneEnd);
        const data = decodeRange(line, separator + extendedOutputSeparator.length, line.length);
        this.onEvent({ type: 'output', pane, data });
        return;
      }
    } else if (startsWith(line, beginPrefix)) {
      const guard = parseGuard(line, beginPrefix.length);
      if (guard) {
        this.block = { ...guard, lines: [] };
        return;
      }
    } else if (startsWith(line, exitPrefix)) {
      if (line.length === exitPrefix.length) {
        this.onEvent({ type: 'exit', reason: null });
        return;
      }
      if (line[exitPrefix.length] === space) {
        this.onEvent({ type: 'exit', reason: line.toString('utf8', exitPrefix.length + 1) });
        return;
      }
    } else {
      const pane = flowPane(line);
      if (pane) {
        this.onEvent(pane);
        return;
      }
    }
    // Anything malformed above falls through here too, so nothing is lost silently.
    const nameEnd = line.indexOf(space);
    this.onEvent({
      type: 'notification',
      name: line.toString('utf8', 1, nameEnd === -1 ? line.length : nameEnd),
      args: nameEnd === -1 ? '' : line.toString('utf8', nameEnd + 1),
    });
  }
}

/** Decode tmux's %output escaping: `\ooo` (3 octal digits) -> that byte; everything else as is. Works on bytes, not strings. */
export function decodeOctal(escaped: Buffer): Buffer {
  return decodeRange(escaped, 0, escaped.length);
}

/** The inverse, as tmux does it (bytes < 0x20 and `\` become \ooo), for round-trip tests. */
export function encodeOctal(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length * 4);
  let written = 0;
  for (const byte of raw) {
    if (byte < space || byte === backslash) {
      out[written++] = backslash;
      out[written++] = 0x30 + (byte >> 6);
      out[written++] = 0x30 + ((byte >> 3) & 7);
      out[written++] = 0x30 + (byte & 7);
    } else {
      out[written++] = byte;
    }
  }
  return Buffer.from(out.subarray(0, written));
}

/** A fresh buffer holding source[start, end) decoded. */
function decodeRange(source: Buffer, start: number, end: number): Buffer {
  // A view bounded to the range, so indexOf never scans past the line.
  const escaped = source.subarray(start, end);
  let slash = escaped.indexOf(backslash);
  if (slash === -1) return Buffer.from(escaped);
  const out = escaped.length <= scratch.length ? scratch : Buffer.allocUnsafe(escaped.length);
  let written = 0;
  let from = 0;
  while (slash !== -1) {
    written += copyRun(escaped, from, slash, out, written);
    const value = octalByte(escaped, slash + 1);
    if (value === -1) {
      out[written++] = backslash;
      from = slash + 1;
    } else {
      out[written++] = value;
      from = slash + 4;
    }
    slash = nextBackslash(escaped, from);
  }
  written += copyRun(escaped, from, escaped.length, out, written);
  if (out !== scratch) return out.subarray(0, written);
  return Buffer.from(scratch.subarray(0, written));
}

/**
 * Escapes cluster (colour codes, CR LF), and a native call costs more than a
 * short JS loop: measured 35 -> 150 MB/s on ESC-heavy output.
 */
const shortRun = 32;

function nextBackslash(buffer: Buffer, from: number): number {
  const stop = Math.min(buffer.length, from + shortRun);
  for (let index = from; index < stop; index++) {
    if (buffer[index] === backslash) return index;
  }
  return stop < buffer.length ? buffer.indexOf(backslash, stop) : -1;
}

/** Copies source[from, to) to target at `at`; returns the count. */
function copyRun(source: Buffer, from: number, to: number, target: Buffer, at: number): number {
  if (to - from > shortRun) return source.copy(target, at, from, to);
  for (let index = from; index < to; index++) target[at + index - from] = source[index] as number;
  return to - from;
}

/** The byte spelled by three octal digits at `at`, or -1 if they aren't there or exceed 0o377. */
function octalByte(buffer: Buffer, at: number): number {
  if (at + 3 > buffer.length) return -1;
  const high = (buffer[at] as number) - 0x30;
  const middle = (buffer[at + 1] as number) - 0x30;
  const low = (buffer[at + 2] as number) - 0x30;
  if (high < 0 || high > 3 || middle < 0 || middle > 7 || low < 0 || low > 7) return -1;
  return (high << 6) | (middle << 3) | low;
}

function startsWith(line: Buffer, prefix: Buffer): boolean {
  if (line.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) {
    if (line[index] !== prefix[index]) return false;
  }
  return true;
}

/** `<time> <number> <flags>` after a %begin/%end/%error prefix. */
function parseGuard(line: Buffer, from: number): Omit<OpenBlock, 'lines'> | null {
  const match = blockGuard.exec(line.toString('latin1', from));
  if (!match) return null;
  return { time: Number(match[1]), number: Number(match[2]), flags: Number(match[3]) };
}

/** A `%pause %P` or `%continue %P` line as its event, else null. */
function flowPane(line: Buffer): ControlEvent | null {
  const type = startsWith(line, pausePrefix)
    ? 'pause'
    : startsWith(line, continuePrefix)
      ? 'continue'
      : null;
  if (!type) return null;
  const pane = line.toString(
    'latin1',
    type === 'pause' ? pausePrefix.length : continuePrefix.length,
  );
  return paneId.test(pane) ? { type, pane } : null;
}
