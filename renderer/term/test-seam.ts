/**
 * A window onto each terminal for end-to-end tests and benchmarks. They must
 * read what a terminal shows even when the WebGL renderer paints it to a
 * canvas, so the text comes from xterm's buffer, not from the DOM. The one
 * way in is `typeKeys`, the keyboard's own path, for typing faster than a
 * person (or Playwright) can.
 */
import type { Terminal } from '@xterm/xterm';
import type { Workspace } from '../../preload/layout';

export type TermProbe = {
  /** The whole buffer (scrollback and screen), lines right-trimmed, joined with \n. */
  text(): string;
  /** The rows currently visible, right-trimmed, joined with \n. */
  screen(): string;
  readonly cols: number;
  readonly rows: number;
  /** Bytes xterm has finished parsing (snapshots and live output). */
  bytesParsed(): number;
  /** The zone offset the screen reflects (a pane that skipped a flood jumps here by snapshot). */
  shownOffset(): number;
  /** Which renderer paints this terminal. */
  renderer(): 'webgl' | 'dom';
  /** The session the terminal shows (its zone), or null when it shows none. */
  sessionId(): string | null;
  /** The terminal's options (font, scrollback...), so a baseline can match them. */
  options(): Record<string, unknown>;
  /** Keys as the keyboard sends them (xterm's onData), at once, within the caller's task. */
  typeKeys(data: string): void;
  /** Watch an OSC code in the stream (benchmarks time in-band markers with it). */
  onOsc(code: number, handler: (data: string) => void): () => void;
};

/** The workspace as the renderer holds it, and a way to wait until it is saved. */
export type WorkspaceProbe = {
  state(): Workspace | null;
  /** Resolves once every change so far has reached the core. */
  saved(): Promise<void>;
};

declare global {
  interface Window {
    __tetherTest?: { terms: Record<string, TermProbe>; workspace?: WorkspaceProbe };
  }
}

/** What the probe reads from the TermWrap rather than from xterm. */
export type ProbeSources = Pick<
  TermProbe,
  'bytesParsed' | 'shownOffset' | 'renderer' | 'sessionId'
>;

export function probeTerminal(term: Terminal, sources: ProbeSources): TermProbe {
  const { bytesParsed, shownOffset, renderer, sessionId } = sources;
  const lines = (from: number, to: number) => {
    const buffer = term.buffer.active;
    const out: string[] = [];
    for (let y = from; y < to; y++) out.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return out.join('\n');
  };
  return {
    text: () => lines(0, term.buffer.active.length),
    screen: () => {
      const top = term.buffer.active.viewportY;
      return lines(top, top + term.rows);
    },
    get cols() {
      return term.cols;
    },
    get rows() {
      return term.rows;
    },
    bytesParsed,
    renderer,
    sessionId,
    shownOffset,
    options: () => ({ ...term.options }),
    typeKeys: (data) => term.input(data, true),
    onOsc: (code, handler) => {
      const registration = term.parser.registerOscHandler(code, (data) => {
        handler(data);
        return false;
      });
      return () => registration.dispose();
    },
  };
}

/** Publish a block's probe; the returned function withdraws it (if still ours). */
export function registerProbe(blockId: string, probe: TermProbe): () => void {
  const seam = (window.__tetherTest ??= { terms: {} });
  seam.terms[blockId] = probe;
  return () => {
    if (seam.terms[blockId] === probe) delete seam.terms[blockId];
  };
}

/** Publish the workspace probe; the returned function withdraws it (if still ours). */
export function registerWorkspaceProbe(probe: WorkspaceProbe): () => void {
  const seam = (window.__tetherTest ??= { terms: {} });
  seam.workspace = probe;
  return () => {
    if (seam.workspace === probe) delete seam.workspace;
  };
}
