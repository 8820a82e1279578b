/**
 * One session's headless terminal, fed in stream order. xterm parses writes
 * asynchronously while `resize()` and friends act at once, so every step that
 * is not a write waits in a queue until all earlier bytes have been parsed;
 * that keeps a snapshot equal to "everything posted before it". Runs in the
 * mirror worker, never on the main thread. It never drops a byte: it reports
 * what it parsed, and the main thread (mirror-feed.ts) bounds what it is sent.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from './headless-terminal';
import type { MirrorSnapshot } from './mirror-protocol';

/** Bytes handed to xterm per write: small enough that its 12 ms slices can yield between them. */
const sliceBytes = 256 * 1024;
/** Bytes handed to xterm and not yet parsed; the rest waits here. */
const inFlightLimit = 1024 * 1024;

/** ESC c: a full reset, after which xterm's old screen and scrollback are garbage. */
const RIS = Buffer.from('\x1bc', 'latin1');

type Step = { data: Uint8Array; offset: number } | { run: () => void };

export type MirrorOptions = {
  cols: number;
  rows: number;
  scrollback: number;
  /** Bytes of earlier writes that are now parsed (the sender's bound counts them out). */
  onParsed: (bytes: number) => void;
  /**
   * Screen lines became garbage: a reset or close let the terminal go, or a full reset (RIS,
   * which starts every repaint from tmux) made xterm start new buffers. Megabytes each.
   */
  onDiscarded?: () => void;
};

export class Mirror {
  private terminal: Terminal;
  private serializer: SerializeAddon;
  /** Steps before `head` are done (and emptied, so their bytes can be collected). */
  private steps: (Step | undefined)[] = [];
  private head = 0;
  private inFlight = 0;
  private pumpScheduled = false;
  private closed = false;
  /**
   * The last snapshot, while nothing has changed the terminal since: switching
   * to an idle session (the common case) skips serialising its scrollback again.
   */
  private cached: MirrorSnapshot | null = null;

  constructor(private readonly options: MirrorOptions) {
    [this.terminal, this.serializer] = this.createTerminal(options.cols, options.rows);
  }

  write(data: Uint8Array): void {
    if (this.closed || data.byteLength === 0) return;
    this.steps.push({ data, offset: 0 });
    if (Buffer.from(data.buffer, data.byteOffset, data.byteLength).includes(RIS)) {
      this.afterWrites(() => this.options.onDiscarded?.());
    }
    this.pump();
  }

  resize(cols: number, rows: number): void {
    this.afterWrites(() => {
      if (cols === this.terminal.cols && rows === this.terminal.rows) return;
      this.cached = null;
      this.terminal.resize(cols, rows);
    });
  }

  /** A fresh, empty terminal of the same size (a restarted shell starts on a clean screen). */
  reset(): void {
    this.afterWrites(() => {
      this.cached = null;
      const { cols, rows } = this.terminal;
      this.terminal.dispose();
      [this.terminal, this.serializer] = this.createTerminal(cols, rows);
      this.options.onDiscarded?.();
    });
  }

  snapshot(reply: (snapshot: MirrorSnapshot) => void, fail: (error: unknown) => void): void {
    this.afterWrites(() => {
      try {
        const { cols, rows } = this.terminal;
        this.cached ??= { data: this.serializer.serialize(), cols, rows };
        reply(this.cached);
      } catch (error) {
        fail(error);
      }
    });
  }

  tail(count: number, reply: (lines: string[]) => void, fail: (error: unknown) => void): void {
    this.afterWrites(() => {
      try {
        reply(lastLines(this.terminal, count));
      } catch (error) {
        fail(error);
      }
    });
  }

  /** Disposes the terminal once the steps already queued have run. */
  close(): void {
    this.afterWrites(() => {
      this.terminal.dispose();
      this.options.onDiscarded?.();
    });
    this.closed = true;
  }

  private createTerminal(cols: number, rows: number): [Terminal, SerializeAddon] {
    const { scrollback } = this.options;
    const terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    const serializer = new SerializeAddon();
    terminal.loadAddon(serializer);
    return [terminal, serializer];
  }

  private afterWrites(run: () => void): void {
    if (this.closed) return;
    this.steps.push({ run });
    this.pump();
  }

  private pump(): void {
    while (this.head < this.steps.length) {
      const step = this.steps[this.head]!;
      if ('run' in step) {
        if (this.inFlight > 0) break;
        step.run();
      } else if (!this.feed(step)) {
        break;
      }
      this.steps[this.head++] = undefined;
    }
    if (
      this.head === this.steps.length ||
      (this.head >= 1024 && this.head * 2 >= this.steps.length)
    ) {
      this.steps = this.steps.slice(this.head);
      this.head = 0;
    }
  }

  /** Hands a write to xterm slice by slice; false while xterm still holds enough. */
  private feed(step: { data: Uint8Array; offset: number }): boolean {
    const { data } = step;
    while (step.offset < data.byteLength) {
      if (this.inFlight >= inFlightLimit) return false;
      const slice = data.subarray(step.offset, step.offset + sliceBytes);
      step.offset += slice.byteLength;
      this.inFlight += slice.byteLength;
      this.cached = null;
      this.terminal.write(slice, () => this.parsed(slice.byteLength));
    }
    return true;
  }

  private parsed(bytes: number): void {
    this.inFlight -= bytes;
    this.options.onParsed(bytes);
    // Not from inside xterm's write loop: a step may dispose the terminal.
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }
}

/** The last `count` non-empty logical lines (wrapped rows joined), right-trimmed. */
function lastLines(terminal: Terminal, count: number): string[] {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  let row = buffer.length - 1;
  while (row >= 0 && lines.length < count) {
    let start = row;
    while (start > 0 && buffer.getLine(start)?.isWrapped) start--;
    let text = '';
    for (let y = start; y <= row; y++)
      text += buffer.getLine(y)?.translateToString(y === row) ?? '';
    text = text.trimEnd();
    if (text !== '') lines.push(text);
    row = start - 1;
  }
  return lines.reverse();
}
