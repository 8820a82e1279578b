/**
 * Checks for durable sessions: a session's status as a window's events tell
 * it, and the counter lines (`tick-N`) a block shows, read from a headless
 * terminal fed the block's whole stream (repaints included), the way a
 * person would read the pane and its scrollback.
 */
// The mirror's loader: @xterm/headless's named export only loads that way outside vitest.
import { Terminal } from '../../sessions/mirror/headless-terminal';
import type { SessionInfo, SessionStatus } from '../../../preload/contract';
import type { TestClient } from '../core-harness';
import { WAIT_MS } from './core-ssh';

/**
 * The session once its latest `sessionChanged` says `status`; with `after` (an event
 * index), once any event after it did (a status that may already have passed). A session
 * that ends while another status is awaited fails at once with its reason.
 */
export function untilStatus(
  client: TestClient,
  sessionId: string,
  status: SessionStatus,
  options: { after?: number; timeoutMs?: number } = {},
): Promise<SessionInfo> {
  return client.until(
    () => {
      const seen: SessionInfo[] = [];
      for (const event of client.events.slice(options.after ?? 0)) {
        if (event.name !== 'sessionChanged') continue;
        const { session } = event.payload as { session: SessionInfo };
        if (session.id === sessionId) seen.push(session);
      }
      const latest = seen.at(-1);
      if (latest?.status === 'done' && status !== 'done') {
        throw new Error(`session ended: ${latest.doneReason}`);
      }
      if (options.after === undefined) return latest?.status === status ? latest : undefined;
      return seen.find((session) => session.status === status);
    },
    `session ${sessionId} ${status}`,
    options.timeoutMs ?? WAIT_MS,
  );
}

/**
 * The numbers of the `tick-N` lines. Without a size, in the raw stream (repaints repeat
 * lines: for progress only); with one, on the terminal that stream draws, scrollback and
 * screen, which is what must hold every line exactly once.
 */
export function counterLines(text: string): number[];
export function counterLines(text: string, cols: number, rows: number): Promise<number[]>;
export function counterLines(
  text: string,
  cols?: number,
  rows?: number,
): number[] | Promise<number[]> {
  if (cols === undefined || rows === undefined) {
    return [...text.matchAll(/^tick-(\d+)\r?$/gm)].map((match) => Number(match[1]));
  }
  return renderedLines(text, cols, rows).then((lines) =>
    lines.flatMap((line) => {
      const match = /^tick-(\d+)$/.exec(line.trimEnd());
      return match ? [Number(match[1])] : [];
    }),
  );
}

/** Every line of the terminal a stream draws: its scrollback, then its screen. */
export async function renderedLines(text: string, cols: number, rows: number): Promise<string[]> {
  const terminal = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 100_000 });
  await new Promise<void>((resolve) => terminal.write(text, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let row = 0; row < buffer.length; row += 1) {
    lines.push(buffer.getLine(row)?.translateToString(true) ?? '');
  }
  terminal.dispose();
  return lines;
}
