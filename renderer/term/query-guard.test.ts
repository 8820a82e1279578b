// What xterm answers to a shell's queries, with and without the guard, on a
// real (headless) xterm.js terminal.
import { Terminal } from '@xterm/headless';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardQueries, swallowsQueries } from './query-guard';
import { terminalOptions } from './terminal-options';

const DA1 = '\x1b[c';
const DA2 = '\x1b[>c';
const DA3 = '\x1b[=c';
const STATUS = '\x1b[5n';
const CURSOR = '\x1b[6n';
const DEC_CURSOR = '\x1b[?6n';

const terminals: Terminal[] = [];

afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.dispose();
});

/** A headless terminal set up as Tether's are (for what it answers), and what it answered. */
function answering() {
  const { windowOptions } = terminalOptions;
  const terminal = new Terminal({
    cols: 80,
    rows: 24,
    allowProposedApi: true,
    // Left out when Tether leaves it out: an explicit undefined breaks xterm's default.
    ...(windowOptions ? { windowOptions } : {}),
  });
  terminals.push(terminal);
  const replies: string[] = [];
  terminal.onData((data) => replies.push(data));
  const write = (data: string) => new Promise<void>((resolve) => terminal.write(data, resolve));
  return { terminal, replies, write };
}

describe('swallowsQueries', () => {
  it('swallows for tmux sessions only', () => {
    expect(swallowsQueries('tmux')).toBe(true);
    expect(swallowsQueries('pty')).toBe(false);
    expect(swallowsQueries('plain')).toBe(false);
  });
});

describe('guardQueries', () => {
  it('leaves xterm answering when there is no guard', async () => {
    const { replies, write } = answering();
    await write(`abc${DA1}${DA2}${STATUS}${CURSOR}${DEC_CURSOR}`);
    expect(replies).toEqual(['\x1b[?1;2c', '\x1b[>0;276;0c', '\x1b[0n', '\x1b[1;4R', '\x1b[?1;4R']);
  });

  it('swallows DA and DSR queries while active', async () => {
    const { terminal, replies, write } = answering();
    guardQueries(terminal.parser, () => true);
    await write(`abc${DA1}${DA2}${DA3}${STATUS}${CURSOR}${DEC_CURSOR}`);
    expect(replies).toEqual([]);
    // Only the answers go: the text around the queries is still painted.
    expect(terminal.buffer.active.cursorX).toBe(3);
  });

  it('lets xterm answer while inactive (pty and plain sessions)', async () => {
    const { terminal, replies, write } = answering();
    guardQueries(terminal.parser, () => false);
    await write(`${DA1}${CURSOR}`);
    expect(replies).toEqual(['\x1b[?1;2c', '\x1b[1;1R']);
  });

  it('asks as each query is parsed, so it follows a switch between sessions', async () => {
    const { terminal, replies, write } = answering();
    let backend: 'tmux' | 'pty' = 'tmux';
    guardQueries(terminal.parser, () => swallowsQueries(backend));
    await write(CURSOR);
    expect(replies).toEqual([]);
    backend = 'pty';
    await write(CURSOR);
    expect(replies).toEqual(['\x1b[1;1R']);
    backend = 'tmux';
    await write(DA1);
    expect(replies).toEqual(['\x1b[1;1R']);
  });

  it('claims DA3 too, should a later xterm answer it', async () => {
    const { terminal, write } = answering();
    // Stands in for an xterm that answers DA3: handlers added later are tried first.
    const xtermAnswer = vi.fn(() => true);
    terminal.parser.registerCsiHandler({ prefix: '=', final: 'c' }, xtermAnswer);
    let active = true;
    guardQueries(terminal.parser, () => active);
    await write(DA3);
    expect(xtermAnswer).not.toHaveBeenCalled();
    active = false;
    await write(DA3);
    expect(xtermAnswer).toHaveBeenCalledTimes(1);
  });

  it('claims colour queries (OSC 10/11/12 ?) but leaves colour settings to xterm', async () => {
    const { terminal, write } = answering();
    // Stands in for the browser xterm, which answers colour queries.
    const xtermColour = vi.fn(() => true);
    for (const code of [10, 11, 12]) terminal.parser.registerOscHandler(code, xtermColour);
    guardQueries(terminal.parser, () => true);
    await write('\x1b]10;?\x07\x1b]11;?\x1b\\\x1b]12;?\x07');
    expect(xtermColour).not.toHaveBeenCalled();
    await write('\x1b]11;#102030\x07');
    expect(xtermColour).toHaveBeenCalledTimes(1);
  });

  it('stops swallowing once disposed', async () => {
    const { terminal, replies, write } = answering();
    const guard = guardQueries(terminal.parser, () => true);
    guard.dispose();
    await write(DA1);
    expect(replies).toEqual(['\x1b[?1;2c']);
  });

  it('has no window reports to swallow: Tether leaves them off in xterm', async () => {
    // If this fails, `windowOptions` was turned on: swallow `CSI … t` for tmux as well.
    const { replies, write } = answering();
    await write('\x1b[18t\x1b[14t\x1b[16t\x1b[19t\x1b[13t\x1b[11t');
    expect(replies).toEqual([]);
  });
});
