/**
 * Restoring a tmux pane into a fresh xterm.js terminal (the view or the
 * headless mirror) when Tether re-joins it after a restart or a %pause: what
 * to ask tmux, as one atomic ;-list, and how to turn the replies into bytes.
 * Pure: the control-mode client sends the line and collects the blocks.
 *
 * The list for pane %P (restoreCommands), each giving one reply block:
 *   refresh-client -A '%P:pause'                 pause only: drop queued output
 *   display-message -p -t %P '<PANE_STATE_FORMAT>'   one line, for this pane only
 *                                                (list-panes -t %P lists every pane of its window)
 *   capture-pane -p -e -J -S -<historyLines> -E -1 -t %P   history, joined where tmux wrapped
 *   capture-pane -p -e -N -t %P                  the visible screen: exactly pane_height rows
 *   capture-pane -p -e -N -a -q -t %P            the primary screen saved under the alternate one
 *   capture-pane -p -J -S -1 -t %P               pause only: plain text, to learn which rows wrapped
 *   capture-pane -p -P -C -t %P                  the pending partial escape sequence, \ooo-escaped
 *   refresh-client -A '%P:continue'              pause only: output restarts at the captured offset
 * `pause: true` means tmux >= 3.2; false is for 3.0a/3.1, so -N (3.1+; 3.0a's parser
 * rejects the whole line) and the wrap probe that needs it are left out too.
 *
 * PANE_STATE_FORMAT fields (space separated, all numeric): pane_width pane_height history_size
 * alternate_on alternate_saved_x alternate_saved_y cursor_x cursor_y scroll_region_upper
 * scroll_region_lower cursor_flag insert_flag keypad_cursor_flag keypad_flag wrap_flag
 * origin_flag mouse_standard_flag mouse_button_flag mouse_all_flag mouse_utf8_flag
 * mouse_sgr_flag pane_dead. (mouse_any_flag, which iTerm2 reads, means "any mouse mode",
 * not 1003: that is mouse_all_flag.)
 *
 * Bytes written (buildRestore), for a terminal already resized to pane_width x pane_height:
 *   ESC c, ESC ) 0 (SO in a capture means DEC line drawing in G1, and G1 stays so: the
 *   screen and tmux terminfo entries designate it once, in enacs, and then draw with SO/SI);
 *   history lines, CR LF, the visible screen rows; rows tmux wrapped are joined by letting
 *   xterm.js auto-wrap from its pending-wrap state, so isWrapped (reflow, copy) is kept,
 *   also across the history/screen seam. With the alternate screen on: history, the saved
 *   primary screen, CUP(alternate_saved), CSI ?1049h, CSI H, the alternate screen;
 *   SGR 0, SI, DECSTBM, CSI ?6h (DECOM), CUP (a cursor in the pending-wrap state, cursor_x ==
 *   width, is rebuilt by rewriting its row), SGR 0, SI, CSI ?25l, CSI ?1h (DECCKM),
 *   ESC = (DECKPAM), CSI 4h (IRM), CSI ?7l (DECAWM), CSI ?1000h/?1002h/?1003h, CSI ?1005h,
 *   CSI ?1006h (only the ones that differ from a reset terminal; xterm.js ignores 1005),
 *   then the pending bytes.
 *
 * Details that matter:
 *   - `-e` carries attributes across lines and never resets at a line end, so SGR is reset
 *     only between captures, and a CR LF under a coloured background is written as
 *     SGR 49, CR LF, the background again: xterm.js fills a line scrolled in with it.
 *   - With history_size 0, `-E -1` still returns screen row 0: the history reply is dropped.
 *   - The -J history's last line may continue into screen row 0; without the probe it is
 *     simply cut there (the text is right, the wrap is not).
 *   - xterm.js's scrollback option must hold historyLines rows.
 *   - Measured against tmux 3.3a; 3.4+ differences (OSC 8 in -e, empty cells in -N rows)
 *     are read from tmux's source, not run.
 *
 * Lost on restore: history older than historyLines; focus reporting (1004), bracketed paste
 * (no format before 3.7), cursor style and colour, title, cwd, OSC 8 links (before 3.4; from
 * 3.4 `-e` writes them and they are passed through), tab stops, the
 * current SGR pen, DECSC's saved cursor, character-set designations and a half-received UTF-8
 * character; the background of erased cells (EL/ED with a colour: tmux does not count them as
 * used, even with -N), and without -N (pause: false) coloured trailing spaces and all wraps.
 */

/** Every field of the state, in format order: tmux's name for each. */
const STATE_FIELDS = [
  'pane_width',
  'pane_height',
  'history_size',
  'alternate_on',
  'alternate_saved_x',
  'alternate_saved_y',
  'cursor_x',
  'cursor_y',
  'scroll_region_upper',
  'scroll_region_lower',
  'cursor_flag',
  'insert_flag',
  'keypad_cursor_flag',
  'keypad_flag',
  'wrap_flag',
  'origin_flag',
  'mouse_standard_flag',
  'mouse_button_flag',
  'mouse_all_flag',
  'mouse_utf8_flag',
  'mouse_sgr_flag',
  'pane_dead',
] as const;

/** The list-panes / display-message -F format for a pane's state: numbers separated by single spaces. */
export const PANE_STATE_FORMAT: string = STATE_FIELDS.map((field) => `#{${field}}`).join(' ');

/** Parsed pane state; rows and columns are 0-based as tmux reports them. */
export type PaneState = {
  width: number;
  height: number;
  /** Rows of history tmux holds (a restore captures at most historyLines of them). */
  historySize: number;
  alternateOn: boolean;
  /** The cursor when the alternate screen was entered (4294967295 when never saved). */
  alternateSavedX: number;
  alternateSavedY: number;
  /** cursorX === width is the pending-wrap state right after a full-width line. */
  cursorX: number;
  cursorY: number;
  /** The scroll region (DECSTBM), inclusive rows. */
  scrollRegionUpper: number;
  scrollRegionLower: number;
  cursorVisible: boolean;
  /** DECCKM, application cursor keys (tmux's keypad_cursor_flag). */
  cursorKeysMode: boolean;
  /** DECKPAM, application keypad (keypad_flag). */
  keypadMode: boolean;
  /** IRM. */
  insertMode: boolean;
  /** DECAWM. */
  wrapMode: boolean;
  /** DECOM. */
  originMode: boolean;
  /** Mouse tracking in xterm.js's names: 1000 vt200, 1002 drag, 1003 any. */
  mouseTracking: 'none' | 'vt200' | 'drag' | 'any';
  /** 1005 encoding. */
  mouseUtf8: boolean;
  /** 1006 encoding (wins over 1005, in tmux as in xterm.js). */
  mouseSgr: boolean;
  /** The program exited and remain-on-exit kept the pane. */
  dead: boolean;
};

/** The reply blocks' lines (each a Buffer, no trailing newline) for restoreCommands, in order. */
export type RestoreReplies = Buffer[][];

/** Parse one line printed with PANE_STATE_FORMAT. */
export function parsePaneState(line: string): PaneState {
  const values = line.trim().split(/[ \t]/);
  if (values.length !== STATE_FIELDS.length || !values.every((value) => /^\d+$/.test(value))) {
    throw new Error(`not a pane state line: ${JSON.stringify(line)}`);
  }
  const field = (name: (typeof STATE_FIELDS)[number]) => Number(values[STATE_FIELDS.indexOf(name)]);
  const flag = (name: (typeof STATE_FIELDS)[number]) => field(name) !== 0;
  return {
    width: field('pane_width'),
    height: field('pane_height'),
    historySize: field('history_size'),
    alternateOn: flag('alternate_on'),
    alternateSavedX: field('alternate_saved_x'),
    alternateSavedY: field('alternate_saved_y'),
    cursorX: field('cursor_x'),
    cursorY: field('cursor_y'),
    scrollRegionUpper: field('scroll_region_upper'),
    scrollRegionLower: field('scroll_region_lower'),
    cursorVisible: flag('cursor_flag'),
    cursorKeysMode: flag('keypad_cursor_flag'),
    keypadMode: flag('keypad_flag'),
    insertMode: flag('insert_flag'),
    wrapMode: flag('wrap_flag'),
    originMode: flag('origin_flag'),
    mouseTracking: flag('mouse_all_flag')
      ? 'any'
      : flag('mouse_button_flag')
        ? 'drag'
        : flag('mouse_standard_flag')
          ? 'vt200'
          : 'none',
    mouseUtf8: flag('mouse_utf8_flag'),
    mouseSgr: flag('mouse_sgr_flag'),
    dead: flag('pane_dead'),
  };
}

/**
 * The commands of one restore, in order, to be sent as one line joined with ' ; '.
 * `pause`: tmux ≥ 3.2's captures (kept spaces, wrapped rows). `hold` (default: `pause`):
 * pause the pane around the captures, dropping output tmux queued before them; for a
 * repaint that replaces the stream. A repaint only for the mirror must not hold: the
 * stream goes on, and every %output before the answer is already in the captures.
 */
export function restoreCommands(
  pane: string,
  options: { historyLines: number; pause: boolean; hold?: boolean },
): string[] {
  if (!/^%\d+$/.test(pane)) throw new Error(`not a pane id: ${JSON.stringify(pane)}`);
  if (!Number.isSafeInteger(options.historyLines) || options.historyLines < 1) {
    // -S -0 would make tmux swap the range and capture two rows.
    throw new RangeError(`historyLines must be a positive integer, not ${options.historyLines}`);
  }
  const target = `-t ${pane}`;
  const keepSpaces = options.pause ? ' -N' : '';
  const commands = [
    `display-message -p ${target} '${PANE_STATE_FORMAT}'`,
    `capture-pane -p -e -J -S -${options.historyLines} -E -1 ${target}`,
    `capture-pane -p -e${keepSpaces} ${target}`,
    `capture-pane -p -e${keepSpaces} -a -q ${target}`,
    ...(options.pause ? [`capture-pane -p -J -S -1 ${target}`] : []),
    `capture-pane -p -P -C ${target}`,
  ];
  if (!(options.hold ?? options.pause)) return commands;
  return [`refresh-client -A '${pane}:pause'`, ...commands, `refresh-client -A '${pane}:continue'`];
}

/** Where each reply sits in the list restoreCommands made. */
function replyIndex(pause: boolean, hold: boolean) {
  const first = hold ? 1 : 0;
  const pending = first + (pause ? 5 : 4);
  return {
    state: first,
    history: first + 1,
    screen: first + 2,
    saved: first + 3,
    wraps: pause ? first + 4 : undefined,
    pending,
    count: pending + 1 + (hold ? 1 : 0),
  };
}

/** Bytes that, written into a freshly reset terminal of the pane's size, reproduce the pane. */
export function buildRestore(
  replies: RestoreReplies,
  options: { pause: boolean; hold?: boolean },
): { bytes: Buffer; state: PaneState } {
  const index = replyIndex(options.pause, options.hold ?? options.pause);
  if (replies.length !== index.count) {
    throw new Error(`a restore has ${index.count} reply blocks, not ${replies.length}`);
  }
  const reply = (at: number): Buffer[] => replies[at] ?? [];
  const state = parsePaneState(reply(index.state)[0]?.toString('latin1') ?? '');
  const history = state.historySize > 0 ? readCapture(reply(index.history)) : [];
  const screen = readCapture(reply(index.screen));
  const wraps =
    index.wraps === undefined
      ? undefined
      : findWraps(reply(index.wraps), screen, state.historySize > 0);
  const joins = (row: number) =>
    wraps !== undefined && wraps[row] === true && endsFull(screen[row - 1], state.width);

  const out = new Output();
  out.text('\x1bc\x1b)0');
  if (state.alternateOn) {
    const saved = readCapture(reply(index.saved));
    writeLines(out, history, () => false);
    if (history.length > 0 && saved.length > 0) out.text(`${RESET_PEN}\r\n`);
    writeLines(out, saved, () => false);
    // Where ?1049h saves the cursor, for ?1049l to bring back; DECOM is not on yet.
    const { alternateSavedX: x, alternateSavedY: y } = state;
    out.text(
      `${RESET_PEN}\x1b[${Math.min(y, state.height - 1) + 1};${Math.min(x, state.width - 1) + 1}H`,
    );
    out.text('\x1b[?1049h\x1b[H');
    writeLines(out, screen, (row) => row > 0 && joins(row));
  } else {
    writeLines(out, history, () => false);
    if (history.length > 0) {
      const seamJoins = wraps?.[0] === true && endsFull(history.at(-1), state.width);
      out.text(seamJoins ? RESET_PEN : `${RESET_PEN}\r\n`);
    }
    writeLines(out, screen, joins);
  }
  writeState(out, state, screen);
  out.bytes(decodeOctal(Buffer.concat(reply(index.pending))));
  return { bytes: out.done(), state };
}

const RESET_PEN = '\x1b[0m\x0f';

/** SGR state at a point of an `-e` capture; each field holds the parameters that set it. */
type Pen = {
  attributes: string[];
  foreground: string;
  background: string;
  underline: string;
  /** SO: the cell is in the G1 (line drawing) set. */
  shifted: boolean;
};

const DEFAULT_PEN: Pen = {
  attributes: [],
  foreground: '',
  background: '',
  underline: '',
  shifted: false,
};

/** One line of a capture with the pen at its start and end and its text without escapes. */
type CaptureLine = { bytes: Buffer; text: string; startPen: Pen; endPen: Pen };

function readCapture(lines: Buffer[]): CaptureLine[] {
  let pen = DEFAULT_PEN;
  return lines.map((bytes) => {
    const startPen = pen;
    const read = readLine(bytes, pen);
    pen = read.pen;
    return { bytes, text: read.text, startPen, endPen: pen };
  });
}

/** Follow the SGR, SO and SI in a captured line; the text comes back as latin1, byte for byte. */
function readLine(bytes: Buffer, start: Pen): { text: string; pen: Pen } {
  let pen = start;
  let text = '';
  let plainFrom = 0;
  let at = 0;
  while (at < bytes.length) {
    const byte = bytes[at];
    if (byte !== 0x1b && byte !== 0x0e && byte !== 0x0f) {
      at++;
      continue;
    }
    text += bytes.toString('latin1', plainFrom, at);
    if (byte === 0x0e || byte === 0x0f) {
      pen = { ...pen, shifted: byte === 0x0e };
      at++;
    } else if (bytes[at + 1] === 0x5b) {
      let end = at + 2;
      while (end < bytes.length && !((bytes[end] ?? 0) >= 0x40 && (bytes[end] ?? 0) <= 0x7e)) end++;
      if (bytes[end] === 0x6d) pen = applySgr(pen, bytes.toString('latin1', at + 2, end));
      at = end + 1;
    } else if (bytes[at + 1] === 0x5d) {
      // OSC (8, hyperlinks, from tmux 3.4) up to BEL or ST.
      let end = at + 2;
      while (end < bytes.length && bytes[end] !== 0x07 && bytes[end] !== 0x1b) end++;
      at = bytes[end] === 0x07 ? end + 1 : end + 2;
    } else {
      at += 2;
    }
    plainFrom = at;
  }
  text += bytes.toString('latin1', Math.min(plainFrom, bytes.length));
  return { text, pen };
}

function applySgr(pen: Pen, parameters: string): Pen {
  const next: Pen = { ...pen, attributes: [...pen.attributes] };
  const tokens = parameters.split(';');
  for (let at = 0; at < tokens.length; at++) {
    const token = tokens[at] ?? '';
    const code = Number(token.split(':')[0] || '0');
    let value = token;
    if ((code === 38 || code === 48 || code === 58) && !token.includes(':')) {
      const count = tokens[at + 1] === '5' ? 2 : tokens[at + 1] === '2' ? 4 : 0;
      value = tokens.slice(at, at + 1 + count).join(';');
      at += count;
    }
    if (code === 0) Object.assign(next, DEFAULT_PEN, { shifted: next.shifted, attributes: [] });
    else if (code === 39) next.foreground = '';
    else if (code === 49) next.background = '';
    else if (code === 59) next.underline = '';
    else if ((code >= 30 && code <= 38) || (code >= 90 && code <= 97)) next.foreground = value;
    else if ((code >= 40 && code <= 48) || (code >= 100 && code <= 107)) next.background = value;
    else if (code === 58) next.underline = value;
    else next.attributes.push(value);
  }
  return next;
}

function penSequence(pen: Pen): string {
  const parameters = [pen.attributes.join(';'), pen.foreground, pen.background, pen.underline];
  return (
    RESET_PEN +
    parameters
      .filter((parameter) => parameter !== '')
      .map((parameter) => `\x1b[${parameter}m`)
      .join('') +
    (pen.shifted ? '\x0e' : '')
  );
}

/** Lines joined by CR LF, or by nothing where `joins(row)` says row-1 wrapped into row. */
function writeLines(out: Output, lines: CaptureLine[], joins: (row: number) => boolean): void {
  lines.forEach((line, row) => {
    if (row > 0 && !joins(row)) {
      const background = lines[row - 1]?.endPen.background ?? '';
      // xterm.js paints a line it scrolls in with the current background.
      out.text(background === '' ? '\r\n' : `\x1b[49m\r\n\x1b[${background}m`);
    }
    out.bytes(line.bytes);
  });
}

/**
 * Which screen rows continue the row above (index 0: the last history row), from the
 * plain -J probe of the last history row and the screen, matched from the bottom up
 * against the screen's own rows. Undefined when they disagree. Trailing spaces at the
 * end of a logical line are ignored: from 3.4 a capture without -J also prints the empty
 * cells up to the line's allocated size.
 */
function findWraps(
  probe: Buffer[],
  screen: CaptureLine[],
  hasHistory: boolean,
): boolean[] | undefined {
  const logical = probe.map((line) => trimSpaces(line.toString('latin1')));
  const joined = screen.map(() => false);
  let line = logical.length - 1;
  let rest = logical[line];
  let endsLine = true;
  for (let row = screen.length - 1; row >= 0; row--) {
    const whole = screen[row]?.text ?? '';
    const text = endsLine ? trimSpaces(whole) : whole;
    if (rest === undefined || !rest.endsWith(text)) return undefined;
    rest = rest.slice(0, rest.length - text.length);
    endsLine = rest === '';
    if (endsLine) rest = logical[--line];
    else joined[row] = true;
  }
  return line === (hasHistory ? 0 : -1) ? joined : undefined;
}

function trimSpaces(text: string): string {
  return text.replace(/ +$/, '');
}

/**
 * Whether a line ends at the right margin, so that xterm.js is in its pending-wrap
 * state after it. Only checked for ASCII; other text is trusted to tmux.
 */
function endsFull(line: CaptureLine | undefined, width: number): boolean {
  if (line === undefined || line.text === '') return false;
  return !/^[\x20-\x7e]*$/.test(line.text) || line.text.length % width === 0;
}

/** CUP to a 0-based cell, relative to the scroll region under DECOM. */
function cup(y: number, x: number, state: PaneState): string {
  const top = state.originMode ? state.scrollRegionUpper : 0;
  const row = Math.max(0, Math.min(y, state.height - 1) - top);
  return `\x1b[${row + 1};${Math.min(x, state.width - 1) + 1}H`;
}

function writeState(out: Output, state: PaneState, screen: CaptureLine[]): void {
  out.text(RESET_PEN);
  if (state.scrollRegionUpper !== 0 || state.scrollRegionLower !== state.height - 1) {
    out.text(`\x1b[${state.scrollRegionUpper + 1};${state.scrollRegionLower + 1}r`);
  }
  if (state.originMode) out.text('\x1b[?6h');
  const cursorRow = screen[state.cursorY];
  if (state.cursorX >= state.width && state.wrapMode && endsFull(cursorRow, state.width)) {
    // Only printing the last column leaves xterm.js waiting to wrap: print the row again.
    out.text(cup(state.cursorY, 0, state) + penSequence(cursorRow!.startPen));
    out.bytes(cursorRow!.bytes);
  } else {
    out.text(cup(state.cursorY, state.cursorX, state));
  }
  out.text(RESET_PEN);
  if (!state.cursorVisible) out.text('\x1b[?25l');
  if (state.cursorKeysMode) out.text('\x1b[?1h');
  if (state.keypadMode) out.text('\x1b=');
  if (state.insertMode) out.text('\x1b[4h');
  if (!state.wrapMode) out.text('\x1b[?7l');
  const tracking = { none: '', vt200: '\x1b[?1000h', drag: '\x1b[?1002h', any: '\x1b[?1003h' };
  out.text(tracking[state.mouseTracking]);
  if (state.mouseUtf8) out.text('\x1b[?1005h');
  if (state.mouseSgr) out.text('\x1b[?1006h');
}

/** capture-pane -C: bytes below 0x20 or from 0x80 (tmux's char is signed), and the backslash, as \ooo. */
function decodeOctal(escaped: Buffer): Buffer {
  const bytes: number[] = [];
  for (let at = 0; at < escaped.length; at++) {
    const byte = escaped[at] ?? 0;
    const digits = escaped.toString('latin1', at + 1, at + 4);
    if (byte === 0x5c && /^[0-7]{3}$/.test(digits)) {
      bytes.push(parseInt(digits, 8) & 0xff);
      at += 3;
    } else {
      bytes.push(byte);
    }
  }
  return Buffer.from(bytes);
}

/** Collects the restore's chunks. */
class Output {
  private readonly chunks: Buffer[] = [];

  text(text: string): void {
    if (text !== '') this.chunks.push(Buffer.from(text, 'latin1'));
  }

  bytes(bytes: Buffer): void {
    this.chunks.push(bytes);
  }

  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
