/**
 * Looking at Tether's tmux server from a test, as a person would from a
 * terminal: `tmux -L tether …` in this test file's private TMUX_TMPDIR, and
 * a headless xterm to see what a repaint shows.
 */
import { spawn } from 'node:child_process';
import { Terminal } from '@xterm/headless';

/** `tmux -L tether <args>` (this file's private server); resolves stdout, rejects with stderr. */
export function tmux(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tmux', ['-L', 'tether', ...args], { env: process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err.trim()))));
  });
}

/** A Tether session's tmux pane and the pid of the shell in it. */
export async function paneOf(
  sessionId: string,
): Promise<{ session: string; pane: string; pid: number; name: string }> {
  const out = await tmux([
    'list-sessions',
    '-F',
    '#{@tether_id}\t#{session_id}\t#{pane_id}\t#{pane_pid}\t#{session_name}',
  ]);
  const line = out.split('\n').find((each) => each.startsWith(`${sessionId}\t`));
  if (!line) throw new Error(`no tmux session for ${sessionId} in:\n${out}`);
  const [, session, pane, pid, name] = line.split('\t');
  return { session: session!, pane: pane!, pid: Number(pid), name: name! };
}

/** The visible rows tmux has for a pane (capture-pane -p), right-trimmed. */
export async function tmuxScreen(pane: string): Promise<string[]> {
  const out = await tmux(['capture-pane', '-p', '-t', pane]);
  return out
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.trimEnd());
}

/** A headless terminal after writing `bytes`: its visible rows, cursor and modes. */
export async function render(
  bytes: Uint8Array,
  cols: number,
  rows: number,
): Promise<{ rows: string[]; cursor: { x: number; y: number }; terminal: Terminal }> {
  const terminal = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 10_000 });
  await new Promise<void>((resolve) => terminal.write(bytes, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let row = 0; row < rows; row++) {
    lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
  }
  return { rows: lines, cursor: { x: buffer.cursorX, y: buffer.cursorY }, terminal };
}

/** Trailing blank rows off, so a screen compares by its content. */
export function trimRows(rows: readonly string[]): string[] {
  const out = rows.map((row) => row.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
