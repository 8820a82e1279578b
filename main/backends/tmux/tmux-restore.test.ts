/**
 * Restoring real tmux panes into @xterm/headless: drive a pane into a state,
 * run restoreCommands over a real control-mode client, write buildRestore's
 * bytes into a fresh terminal, and compare with what tmux says: rows,
 * scrollback, wraps, cursor, modes, the alternate screen and the primary
 * under it, and the live output that follows the restore.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Terminal } from '../../sessions/mirror/headless-terminal';
import { startTestTmux, type TestTmux } from '../../testing/test-tmux';
import {
  buildRestore,
  PANE_STATE_FORMAT,
  parsePaneState,
  restoreCommands,
  type PaneState,
} from './tmux-restore';

/** A limit for a broken test, never a measure of speed. */
const WAIT_MS = 15_000;

let tmux: TestTmux;
let home: string;
beforeAll(async () => {
  tmux = await startTestTmux();
  home = mkdtempSync(join(tmpdir(), 'tether-home-'));
  // history-limit only applies to panes made after it; `keep` holds the server up.
  // In one go: a server without a session exits at once.
  await tmux.run([
    'start-server',
    ';',
    'set',
    '-g',
    'history-limit',
    '20000',
    ';',
    'new-session',
    '-d',
    '-s',
    'keep',
    'sleep 100000',
  ]);
});
afterAll(async () => {
  await tmux?.dispose();
  if (home) rmSync(home, { recursive: true, force: true });
});

const clients: ControlClient[] = [];
const terminals: Terminal[] = [];
let sessions = 0;
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const terminal of terminals.splice(0)) terminal.dispose();
  const names = await tmux.run(['list-sessions', '-F', '#{session_name}']);
  for (const name of names.split('\n').filter((name) => name.startsWith('t'))) {
    await tmux.run(['kill-session', '-t', `=${name}`]);
  }
});

/** A control-mode client over pipes: reply blocks in FIFO order, and %output per pane. */
class ControlClient {
  private rest = Buffer.alloc(0);
  private open: { header: string; lines: Buffer[] } | undefined;
  private readonly batches: {
    expected: number;
    blocks: Buffer[][];
    resolve: (blocks: Buffer[][]) => void;
    reject: (error: Error) => void;
  }[] = [];
  /** Reply blocks completed so far: output is stamped with it. */
  blocksDone = 0;
  readonly output: { pane: string; data: Buffer; afterBlocks: number }[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    attached: () => void,
  ) {
    child.stdout.on('data', (chunk: Buffer) => {
      let data = Buffer.concat([this.rest, chunk]);
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a)) {
        this.line(data.subarray(0, end), attached);
        data = data.subarray(end + 1);
      }
      this.rest = Buffer.from(data);
    });
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
  }

  static async attach(session: string): Promise<ControlClient> {
    const child = spawn(
      'tmux',
      ['-u', '-L', 'tether', '-C', 'attach-session', '-t', `=${session}`],
      {
        env: tmux.env,
      },
    );
    let attached!: () => void;
    const ready = new Promise<void>((resolve) => (attached = resolve));
    const client = new ControlClient(child, attached);
    clients.push(client);
    // Commands sent before the attach completes fail with "no current client".
    await ready;
    return client;
  }

  private line(line: Buffer, attached: () => void): void {
    const text = line.toString('latin1');
    if (this.open) {
      const [, time, number] = this.open.header.split(' ');
      const end = /^%(end|error) (\d+) (\d+) (\d+)$/.exec(text);
      if (!end || end[2] !== time || end[3] !== number) {
        this.open.lines.push(Buffer.from(line));
        return;
      }
      const block = this.open;
      this.open = undefined;
      if (block.header.endsWith(' 0')) return; // the server's own block at attach
      this.blocksDone++;
      const batch = this.batches[0];
      if (!batch) throw new Error(`an unexpected reply block: ${text}`);
      if (end[1] === 'error') {
        this.batches.shift();
        batch.reject(new Error(block.lines.map(String).join('\n')));
        return;
      }
      batch.blocks.push(block.lines);
      if (batch.blocks.length === batch.expected) {
        this.batches.shift();
        batch.resolve(batch.blocks);
      }
    } else if (text.startsWith('%begin ')) {
      this.open = { header: text, lines: [] };
    } else if (text.startsWith('%output ')) {
      const match = /^%output (%\d+) /.exec(text);
      if (!match) return;
      const data = decodeOctal(line.subarray(match[0].length));
      this.output.push({ pane: match[1] ?? '', data, afterBlocks: this.blocksDone });
    } else if (text.startsWith('%session-changed ')) {
      attached();
    }
  }

  /** Send the commands as one ;-list; resolves every reply block, in order. */
  run(commands: string[]): Promise<Buffer[][]> {
    return new Promise((resolve, reject) => {
      this.batches.push({ expected: commands.length, blocks: [], resolve, reject });
      this.child.stdin.write(`${commands.join(' ; ')}\n`);
    });
  }

  /** Everything the pane printed after the first `afterBlocks` reply blocks. */
  outputAfter(pane: string, afterBlocks: number): Buffer {
    return Buffer.concat(
      this.output
        .filter((chunk) => chunk.pane === pane && chunk.afterBlocks >= afterBlocks)
        .map((chunk) => chunk.data),
    );
  }

  /** A round trip: all output tmux had for this client before it is in. */
  async sync(): Promise<void> {
    await this.run(['display-message -p sync']);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

function decodeOctal(data: Buffer): Buffer {
  const text = data
    .toString('latin1')
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return Buffer.from(text, 'latin1');
}

/** A session running `script` in bash (no dotfiles, a temp HOME), or an interactive bash. */
async function openPane(
  script?: string,
  cols = 80,
  rows = 24,
): Promise<{ session: string; pane: string }> {
  const session = `t${++sessions}`;
  const bash = ['bash', '--noprofile', '--norc', ...(script === undefined ? [] : ['-c', script])];
  const pane = await tmux.run([
    'new-session',
    '-d',
    '-P',
    '-F',
    '#{pane_id}',
    '-s',
    session,
    '-x',
    String(cols),
    '-y',
    String(rows),
    'env',
    `HOME=${home}`,
    'PS1=$ ',
    ...bash,
  ]);
  return { session, pane: pane.trim() };
}

function linesOf(stdout: string): string[] {
  return stdout.replace(/\n$/, '').split('\n');
}

/** The visible rows, as tmux prints them (trailing spaces trimmed). */
async function tmuxRows(pane: string, ...flags: string[]): Promise<string[]> {
  return linesOf(await tmux.run(['capture-pane', '-p', ...flags, '-t', pane]));
}

async function tmuxState(pane: string): Promise<PaneState> {
  return parsePaneState(await tmux.run(['display-message', '-p', '-t', pane, PANE_STATE_FORMAT]));
}

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function untilScreen(pane: string, test: (screen: string) => boolean): Promise<void> {
  await until(`pane ${pane} to show the expected screen`, async () =>
    test((await tmuxRows(pane)).join('\n')),
  );
}

type Restored = { terminal: Terminal; state: PaneState; bytes: Buffer; afterBlocks: number };

/** Restore the pane into a new headless terminal of its size (or into `terminal`). */
async function restore(
  client: ControlClient,
  pane: string,
  options: { historyLines?: number; pause: boolean; terminal?: Terminal },
): Promise<Restored & { milliseconds: { tmux: number; build: number; write: number } }> {
  const started = performance.now();
  const replies = await client.run(
    restoreCommands(pane, { historyLines: options.historyLines ?? 2000, pause: options.pause }),
  );
  const answered = performance.now();
  const afterBlocks = client.blocksDone;
  const { bytes, state } = buildRestore(replies, { pause: options.pause });
  const built = performance.now();
  const terminal = options.terminal ?? newTerminal(state.width, state.height);
  terminal.resize(state.width, state.height);
  await write(terminal, bytes);
  const milliseconds = {
    tmux: answered - started,
    build: built - answered,
    write: performance.now() - built,
  };
  return { terminal, state, bytes, afterBlocks, milliseconds };
}

function newTerminal(cols: number, rows: number): Terminal {
  const terminal = new Terminal({ cols, rows, scrollback: 20_000, allowProposedApi: true });
  terminals.push(terminal);
  return terminal;
}

function write(terminal: Terminal, data: Buffer | string): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

/** Feed the terminal what the pane printed since the restore. */
async function follow(client: ControlClient, pane: string, restored: Restored): Promise<void> {
  await client.sync();
  await write(restored.terminal, client.outputAfter(pane, restored.afterBlocks));
}

/** A row's text as tmux prints it: xterm.js keeps spaces that were written (-N writes them). */
function rowText(terminal: Terminal, row: number): string {
  return (terminal.buffer.active.getLine(row)?.translateToString(true) ?? '').replace(/ +$/, '');
}

function screenRows(terminal: Terminal): string[] {
  const { baseY } = terminal.buffer.active;
  return Array.from({ length: terminal.rows }, (_, row) => rowText(terminal, baseY + row));
}

function scrollbackRows(terminal: Terminal): string[] {
  return Array.from({ length: terminal.buffer.active.baseY }, (_, row) => rowText(terminal, row));
}

function cursorOf(terminal: Terminal): { x: number; y: number } {
  return { x: terminal.buffer.active.cursorX, y: terminal.buffer.active.cursorY };
}

/** A line of scrollback + screen, by the text it starts with. */
function lineStarting(terminal: Terminal, prefix: string) {
  const buffer = terminal.buffer.active;
  for (let row = 0; row < buffer.length; row++) {
    const line = buffer.getLine(row);
    if (line?.translateToString(true).startsWith(prefix)) return { line, row };
  }
  throw new Error(`no line starts with ${prefix}`);
}

/** DECRQM: 1 set, 2 reset, as xterm.js answers it. */
async function privateMode(terminal: Terminal, mode: number): Promise<number> {
  let reply = '';
  const listener = terminal.onData((data) => (reply += data));
  await write(terminal, `\x1b[?${mode}$p`);
  listener.dispose();
  return Number(new RegExp(`\\x1b\\[\\?${mode};(\\d)\\$y`).exec(reply)?.[1]);
}

describe('restoreCommands and parsePaneState', () => {
  it('pauses and continues around the captures only when asked', () => {
    const paused = restoreCommands('%3', { historyLines: 2000, pause: true });
    expect(paused).toEqual([
      "refresh-client -A '%3:pause'",
      `display-message -p -t %3 '${PANE_STATE_FORMAT}'`,
      'capture-pane -p -e -J -S -2000 -E -1 -t %3',
      'capture-pane -p -e -N -t %3',
      'capture-pane -p -e -N -a -q -t %3',
      'capture-pane -p -J -S -1 -t %3',
      'capture-pane -p -P -C -t %3',
      "refresh-client -A '%3:continue'",
    ]);
    // tmux 3.0a has no -N, and its parser would refuse the whole line.
    expect(restoreCommands('%3', { historyLines: 5, pause: false })).toEqual([
      `display-message -p -t %3 '${PANE_STATE_FORMAT}'`,
      'capture-pane -p -e -J -S -5 -E -1 -t %3',
      'capture-pane -p -e -t %3',
      'capture-pane -p -e -a -q -t %3',
      'capture-pane -p -P -C -t %3',
    ]);
  });

  it('refuses a target that is not a pane id and a history that is not positive', () => {
    expect(() => restoreCommands('=s', { historyLines: 10, pause: true })).toThrow(/pane id/);
    expect(() => restoreCommands("%1' ; kill-server", { historyLines: 10, pause: true })).toThrow();
    expect(() => restoreCommands('%1', { historyLines: 0, pause: true })).toThrow(RangeError);
    expect(() => restoreCommands('%1', { historyLines: 1.5, pause: true })).toThrow(RangeError);
  });

  it('parses the state line tmux prints and refuses anything else', async () => {
    const { pane } = await openPane(
      "printf '\\e[?1003h\\e[?1006h\\e[?1h\\e[?25l\\e[3;9r\\e[5;7H'; exec sleep 1000",
      50,
      12,
    );
    await until('the modes', async () => (await tmuxState(pane)).mouseTracking === 'any');
    const line = await tmux.run(['display-message', '-p', '-t', pane, PANE_STATE_FORMAT]);
    expect(parsePaneState(line)).toEqual({
      width: 50,
      height: 12,
      historySize: 0,
      alternateOn: false,
      alternateSavedX: 4294967295,
      alternateSavedY: 4294967295,
      cursorX: 6,
      cursorY: 4,
      scrollRegionUpper: 2,
      scrollRegionLower: 8,
      cursorVisible: false,
      cursorKeysMode: true,
      keypadMode: false,
      insertMode: false,
      wrapMode: true,
      originMode: false,
      mouseTracking: 'any',
      mouseUtf8: false,
      mouseSgr: true,
      dead: false,
    });
    expect(() => parsePaneState('80 24')).toThrow(/pane state/);
    expect(() => parsePaneState(line.replace(/^\d+/, 'x'))).toThrow(/pane state/);
  });

  it('wants one reply block per command', () => {
    expect(() => buildRestore([[]], { pause: true })).toThrow(/8 reply blocks/);
  });
});

describe.each([{ pause: true }, { pause: false }])('restore with pause: $pause', ({ pause }) => {
  it('restores a shell with 3000 lines of coloured output: screen, the last 2000 history rows, cursor, colours', async () => {
    const { session, pane } = await openPane();
    const command =
      "printf '\\e[32m'; seq 3000; printf '\\e[0m\\e[31mred\\e[0m plain \\e[1;44mbold on blue\\e[0m\\n" +
      "tail\\e[45m    \\e[0m\\n\\e[44mx\\e[K\\e[0m\\nafter\\n'";
    await tmux.run(['send-keys', '-t', pane, '-l', command]);
    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => /^after\n\$$/m.test(screen));
    const client = await ControlClient.attach(session);

    // Written over a terminal that shows something else, with its own scrollback and modes.
    const dirty = newTerminal(40, 10);
    await write(dirty, `${'junk\r\n'.repeat(50)}\x1b[?1000h\x1b[?1h\x1b[5;8r\x1b[?1049hALT`);
    const { terminal, state } = await restore(client, pane, { pause, terminal: dirty });

    const expected = await tmuxState(pane);
    expect(state).toEqual(expected);
    expect(expected.historySize).toBeGreaterThan(2900);
    expect(terminal.buffer.active.type).toBe('normal');
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    const history = await tmuxRows(pane, '-S', '-2000', '-E', '-1');
    expect(history).toHaveLength(2000);
    expect(scrollbackRows(terminal)).toEqual(history);
    expect(cursorOf(terminal)).toEqual({ x: expected.cursorX, y: expected.cursorY });
    expect(terminal.modes.mouseTrackingMode).toBe('none');
    expect(terminal.modes.applicationCursorKeysMode).toBe(false);

    // -e gave the green once, before the first line: every restored seq row is green.
    const first = terminal.buffer.active.getLine(0)?.getCell(0);
    expect(first?.isFgPalette() && first.getFgColor()).toBe(2);
    const red = lineStarting(terminal, 'red plain').line;
    expect(red.getCell(0)?.getFgColor()).toBe(1);
    expect(red.getCell(4)?.isFgDefault()).toBe(true);
    const bold = red.getCell('red plain '.length);
    expect([Boolean(bold?.isBold()), bold?.getBgColor()]).toEqual([true, 4]);
    // A line scrolled in under a blue pen must not come out blue.
    const after = lineStarting(terminal, 'after').line;
    expect(after.getCell(0)?.isBgDefault()).toBe(true);
    expect(after.getCell(70)?.isBgDefault()).toBe(true);
    // Coloured trailing spaces need -N, which only the pause (3.2+) list asks for.
    const tail = lineStarting(terminal, 'tail').line;
    expect(tail.getCell(7)?.isBgPalette() && tail.getCell(7)?.getBgColor()).toBe(pause ? 5 : false);
  });

  it('keeps full-width lines whole and wrapped lines wrapped, across the history/screen seam', async () => {
    // 24 screen rows: A(15) s1..s18 full next B(80) B(20) and the cursor row; A(80) is the last history row.
    const script = [
      "stty -echo; for i in $(seq 30); do echo h$i; done; printf '%080d\\n' 1; echo after-full",
      "printf 'W%.0s' $(seq 100); echo; echo after-wrap",
      "printf 'A%.0s' $(seq 95); echo; for i in $(seq 18); do echo s$i; done",
      "printf '%080d\\n' 2; echo next; printf 'B%.0s' $(seq 100); echo",
      'read x; echo more; exec sleep 1000',
    ].join('; ');
    const { session, pane } = await openPane(script);
    await untilScreen(pane, (screen) => screen.includes('B'.repeat(20)));
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause });
    const { terminal } = restored;

    const expected = await tmuxState(pane);
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    expect(screenRows(terminal)[0]).toBe('A'.repeat(15));
    const history = await tmuxRows(pane, '-S', '-', '-E', '-1');
    expect(history.at(-1)).toBe('A'.repeat(80));
    expect(scrollbackRows(terminal)).toEqual(history);
    expect(cursorOf(terminal)).toEqual({ x: expected.cursorX, y: expected.cursorY });

    // No blank line after a full-width line, in the history or on the screen.
    const full = lineStarting(terminal, '0'.repeat(79) + '1');
    expect(terminal.buffer.active.getLine(full.row + 1)?.translateToString(true)).toBe(
      'after-full',
    );
    expect(terminal.buffer.active.getLine(full.row + 1)?.isWrapped).toBe(false);
    const next = lineStarting(terminal, '0'.repeat(79) + '2');
    expect(terminal.buffer.active.getLine(next.row + 1)?.translateToString(true)).toBe('next');

    // The history is joined where tmux wrapped it (-J); the seam and the screen need the probe.
    const wrapped = (prefix: string) =>
      terminal.buffer.active.getLine(lineStarting(terminal, prefix).row + 1)?.isWrapped;
    expect(wrapped('W')).toBe(true);
    expect(wrapped('A'.repeat(80))).toBe(pause);
    expect(wrapped('B'.repeat(80))).toBe(pause);

    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => screen.includes('more'));
    await follow(client, pane, restored);
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    expect(scrollbackRows(terminal)).toEqual(await tmuxRows(pane, '-S', '-', '-E', '-1'));
  });

  it('restores an alternate-screen app with mouse mode, and the primary screen under it', async () => {
    const script = [
      "stty -echo; seq 40; printf 'primary \\e[33myellow\\e[0m\\nprompt> '",
      "printf '\\e[?1049h\\e[?1002h\\e[?1006h\\e[?1h\\e='",
      "printf '\\e[2;5Halt row\\e[5;1H\\e[7mreverse\\e[0m\\e[24;1Hstatus\\e[10;10H'",
      "read x; printf '\\e[?1049lback'; exec sleep 1000",
    ].join('; ');
    const { session, pane } = await openPane(script);
    await untilScreen(pane, (screen) => screen.includes('status'));
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause });
    const { terminal, state } = restored;

    expect(state.alternateOn).toBe(true);
    expect(terminal.buffer.active.type).toBe('alternate');
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    expect(cursorOf(terminal)).toEqual({ x: 9, y: 9 });
    expect(terminal.modes.mouseTrackingMode).toBe('drag');
    expect(await privateMode(terminal, 1006)).toBe(1);
    expect(terminal.modes.applicationCursorKeysMode).toBe(true);
    expect(terminal.modes.applicationKeypadMode).toBe(true);

    // Under it, the primary screen tmux saved (-a), with the cursor where the app left it.
    const saved = await tmuxRows(pane, '-a');
    expect(saved.at(-1)).toBe('prompt>');
    const underneath = newTerminal(state.width, state.height);
    await write(underneath, restored.bytes);
    await write(underneath, '\x1b[?1049l');
    expect(screenRows(underneath)).toEqual(saved);
    expect(cursorOf(underneath)).toEqual({ x: state.alternateSavedX, y: state.alternateSavedY });
    expect(scrollbackRows(underneath)).toEqual(await tmuxRows(pane, '-S', '-', '-E', '-1'));

    // And when the app leaves the alternate screen for real, both agree.
    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => screen.includes('back'));
    await follow(client, pane, restored);
    expect(terminal.buffer.active.type).toBe('normal');
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    const after = await tmuxState(pane);
    expect(cursorOf(terminal)).toEqual({ x: after.cursorX, y: after.cursorY });
  });

  it('restores modes: DECCKM, DECKPAM, IRM, DECOM, DECAWM, DECSTBM and a hidden cursor', async () => {
    const script = [
      "stty -echo; seq 30; printf '\\e[5;15r\\e[?1h\\e=\\e[4h\\e[?6h\\e[?7l\\e[?25l\\e[3;4H'",
      // After the restore: insert, go to the region's top (DECOM), scroll the region, overrun the margin.
      "read x; printf 'INS\\e[1;1Htop\\e[11;1Hs1\\ns2\\ns3\\n\\e[2;75H%020d' 7; exec sleep 1000",
    ].join('; ');
    const { session, pane } = await openPane(script);
    await until('the modes', async () => (await tmuxState(pane)).insertMode);
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause });
    const { terminal, state } = restored;

    expect(state).toMatchObject({ scrollRegionUpper: 4, scrollRegionLower: 14, cursorY: 6 });
    expect(terminal.modes).toMatchObject({
      applicationCursorKeysMode: true,
      applicationKeypadMode: true,
      insertMode: true,
      originMode: true,
      wraparoundMode: false,
      mouseTrackingMode: 'none',
    });
    expect(await privateMode(terminal, 25)).toBe(2);
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    expect(cursorOf(terminal)).toEqual({ x: 3, y: 6 });

    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => screen.includes('00007'));
    await follow(client, pane, restored);
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    const after = await tmuxState(pane);
    // Printing into the last column without DECAWM leaves xterm.js's cursorX at cols, tmux's at cols - 1.
    const { x, y } = cursorOf(terminal);
    expect({ x: Math.min(x, terminal.cols - 1), y }).toEqual({
      x: after.cursorX,
      y: after.cursorY,
    });
  });

  it('completes a pending partial escape sequence and keeps a pending wrap', async () => {
    const script = [
      "stty -echo; printf '%080d' 0",
      "printf 'before \\e['; read x; printf '31mred'; exec sleep 1000",
    ].join('; ');
    const { session, pane } = await openPane(script);
    await untilScreen(pane, (screen) => screen.includes('before'));
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause });
    expect(restored.bytes.subarray(-2).toString('latin1')).toBe('\x1b[');

    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => screen.includes('red'));
    await follow(client, pane, restored);
    const rows = await tmuxRows(pane);
    expect(rows[1]).toBe('before red');
    expect(screenRows(restored.terminal)).toEqual(rows);
    const red = restored.terminal.buffer.active.getLine(1)?.getCell(7);
    expect(red?.getChars()).toBe('r');
    expect(red?.getFgColor()).toBe(1);
  });

  it('draws DEC line drawing (SO/SI, as ncurses does for TERM=screen) before and after', async () => {
    // enacs designates G1 once; smacs/rmacs are SO/SI.
    const { session, pane } = await openPane(
      "stty -echo; printf '\\e(B\\e)0a\\016lqqk\\017b\\n'; read x; printf '\\016mqj\\017c'; exec sleep 1000",
    );
    await untilScreen(pane, (screen) => screen.includes('alqqkb'));
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause });
    expect(screenRows(restored.terminal)[0]).toBe('a┌──┐b');

    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => screen.includes('mqjc'));
    await follow(client, pane, restored);
    expect(screenRows(restored.terminal).slice(0, 2)).toEqual(['a┌──┐b', '└─┘c']);
  });

  it('puts the cursor back in the pending-wrap state after a full-width line', async () => {
    const { session, pane } = await openPane(
      "stty -echo; printf '\\e[33m%080d' 0; read x; printf 'Z'; exec sleep 1000",
    );
    await until('the full line', async () => (await tmuxState(pane)).cursorX === 80);
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause });
    expect(cursorOf(restored.terminal)).toEqual({ x: 80, y: 0 });
    expect(restored.terminal.buffer.active.getLine(0)?.getCell(79)?.getFgColor()).toBe(3);

    await tmux.run(['send-keys', '-t', pane, 'Enter']);
    await untilScreen(pane, (screen) => screen.includes('Z'));
    await follow(client, pane, restored);
    expect(screenRows(restored.terminal)).toEqual(await tmuxRows(pane));
    expect(screenRows(restored.terminal)[1]).toBe('Z');
    expect(restored.terminal.buffer.active.getLine(1)?.isWrapped).toBe(true);
  });
});

describe('restore of a real app', () => {
  it('restores less (alternate screen, SGR mouse) and what is left when it quits', async () => {
    const file = join(home, 'lines.txt');
    const { session, pane } = await openPane(
      `seq -f 'line %g' 300 > ${file}; echo before-less; less --mouse ${file}; exec sleep 1000`,
    );
    await until('less', async () => (await tmuxState(pane)).alternateOn);
    await untilScreen(pane, (screen) => /^line 23$/m.test(screen));
    const client = await ControlClient.attach(session);
    const restored = await restore(client, pane, { pause: true });

    expect(restored.terminal.buffer.active.type).toBe('alternate');
    expect(screenRows(restored.terminal)).toEqual(await tmuxRows(pane));
    expect(restored.terminal.modes.mouseTrackingMode).toBe((await tmuxState(pane)).mouseTracking);
    expect(restored.terminal.modes.mouseTrackingMode).not.toBe('none');

    await tmux.run(['send-keys', '-t', pane, 'q']);
    await until('less to quit', async () => !(await tmuxState(pane)).alternateOn);
    await follow(client, pane, restored);
    expect(restored.terminal.buffer.active.type).toBe('normal');
    expect(screenRows(restored.terminal)).toEqual(await tmuxRows(pane));
  });
});

/** Whether the loop's `line<n>` output has reached n. */
function printedAtLeast(screen: string, count: number): boolean {
  return [...screen.matchAll(/^line(\d+)$/gm)].some((match) => Number(match[1]) >= count);
}

describe('restore while the pane is printing', () => {
  it('resumes a pane tmux paused (%pause) and loses and repeats nothing (pause: true)', async () => {
    const { session, pane } = await openPane(
      'for i in $(seq 400); do echo line$i; sleep 0.003; done; echo done; exec sleep 1000',
    );
    const client = await ControlClient.attach(session);
    // What pause-after does to a client that fell behind.
    await client.run([`refresh-client -A '${pane}:pause'`]);
    await untilScreen(pane, (screen) => printedAtLeast(screen, 50));
    const restored = await restore(client, pane, { pause: true });
    expect(screenRows(restored.terminal)).not.toContain('done');

    await untilScreen(pane, (screen) => /^done$/m.test(screen));
    await follow(client, pane, restored);
    const all = await tmuxRows(pane, '-S', '-');
    expect([...scrollbackRows(restored.terminal), ...screenRows(restored.terminal)]).toEqual(all);
  });

  it('without pause, output before the last reply block is in the capture (pause: false)', async () => {
    // tmux queues a client's %output and reply lines in one order, so dropping
    // the output that came before the restore's last %end is enough.
    const { session, pane } = await openPane(
      'for i in $(seq 400); do echo line$i; sleep 0.003; done; echo done; exec sleep 1000',
    );
    const client = await ControlClient.attach(session);
    await untilScreen(pane, (screen) => printedAtLeast(screen, 50));
    const restored = await restore(client, pane, { pause: false });
    expect(screenRows(restored.terminal)).not.toContain('done');

    await untilScreen(pane, (screen) => /^done$/m.test(screen));
    await follow(client, pane, restored);
    const all = await tmuxRows(pane, '-S', '-');
    expect([...scrollbackRows(restored.terminal), ...screenRows(restored.terminal)]).toEqual(all);
  });
});

describe('restore of a long history', () => {
  it('captures about historyLines rows of a 10,000-line pane, not all of them', async () => {
    const { session, pane } = await openPane("seq -f '%070g' 10000; exec sleep 1000");
    await until('10,000 lines', async () => (await tmuxState(pane)).historySize >= 9977);
    const client = await ControlClient.attach(session);
    const { terminal, bytes, milliseconds } = await restore(client, pane, {
      historyLines: 2000,
      pause: true,
    });

    const rowBytes = 70 + 2;
    expect(bytes.length).toBeGreaterThan(2000 * rowBytes);
    expect(bytes.length).toBeLessThan((2000 + 24) * rowBytes + 1024);
    expect(scrollbackRows(terminal)).toEqual(await tmuxRows(pane, '-S', '-2000', '-E', '-1'));
    expect(screenRows(terminal)).toEqual(await tmuxRows(pane));
    console.log(
      `restore of a 10,000-line pane, 2000 lines of history: tmux answered in ${milliseconds.tmux.toFixed(1)} ms, ` +
        `buildRestore ${milliseconds.build.toFixed(1)} ms, xterm.js write ${milliseconds.write.toFixed(1)} ms, ` +
        `${bytes.length} bytes`,
    );
  });
});
