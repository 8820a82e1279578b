/**
 * Test helpers for mirrors: a stand-in for a shell that keeps its own screen
 * (as tmux does) built on a real headless xterm fed every byte, and the rows
 * of a terminal for comparisons.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from './headless-terminal';
import type { MirrorPool, MirrorSnapshot, MirrorSource } from './mirror-pool';

export function terminal(cols: number, rows: number): Terminal {
  return new Terminal({ cols, rows, scrollback: 10_000, allowProposedApi: true });
}

export async function feed(term: Terminal, data: string | Uint8Array): Promise<Terminal> {
  await new Promise<void>((resolve) => term.write(data, resolve));
  return term;
}

/** A fresh terminal of the snapshot's size with the snapshot written into it. */
export function replay(snapshot: MirrorSnapshot): Promise<Terminal> {
  return feed(terminal(snapshot.cols, snapshot.rows), snapshot.data);
}

/** Every row of the active buffer, scrollback first, right-trimmed. */
export function rows(term: Terminal): string[] {
  const buffer = term.buffer.active;
  return Array.from({ length: buffer.length }, (_, y) =>
    buffer.getLine(y)!.translateToString(true),
  );
}

/**
 * A shell's output going to a mirror, with the shell's own screen beside it (a terminal
 * that parses every byte, as tmux does): it can repaint the mirror, as tmux's capture does.
 */
export type RepaintingSource = MirrorSource & {
  /** Output of the shell: to its own screen and the mirror, in order. */
  write(data: Uint8Array): void;
  /** Bytes written so far (the stream position). */
  readonly written: number;
  /** The shell's own screen, once it has parsed everything written. */
  screen(): Promise<Terminal>;
  recaptures: number;
  /** Output to write right after the next repaint, as tmux's next read may carry it. */
  afterRepaint?: Uint8Array;
};

export function repaintingSource(
  id: string,
  mirrors: MirrorPool,
  cols: number,
  rows: number,
): RepaintingSource {
  const own = terminal(cols, rows);
  const serializer = new SerializeAddon();
  own.loadAddon(serializer);
  let written = 0;
  const source: RepaintingSource = {
    write(data) {
      written += data.byteLength;
      own.write(data);
      mirrors.write(id, data);
    },
    get written() {
      return written;
    },
    screen: () => feed(own, ''),
    recaptures: 0,
    async recapture(replace) {
      source.recaptures += 1;
      // Everything written so far is parsed once this empty write's callback runs.
      await feed(own, '');
      replace(Buffer.from(serializer.serialize(), 'utf8'));
      const after = source.afterRepaint;
      source.afterRepaint = undefined;
      if (after) source.write(after);
    },
  };
  return source;
}
