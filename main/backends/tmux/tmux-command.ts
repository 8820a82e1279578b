/**
 * Writing tmux commands for a control-mode client: arguments quoted for
 * tmux's own command parser, and a shell's input turned into send-keys and
 * paste-buffer commands.
 *
 * Input rules (see shared/notes/tmux-control-mode.md §3): text goes as
 * `send-keys -l` (one argument copes with a megabyte); control bytes as
 * `send-keys -H` in chunks (tmux fails on very long argument lists); large
 * writes (a paste) through a named buffer, `paste-buffer -r` writing the bytes
 * to the pane exactly as they are (xterm.js already added the bracketed-paste
 * markers the program asked for). Every command is one line: a newline can
 * only travel inside double quotes as an escape.
 */

/** Bytes per `send-keys -H` command: tmux's parser slows and then fails on thousands of arguments. */
const HEX_CHUNK = 256;
/** Writes longer than this go through a paste buffer rather than key by key. */
export const PASTE_THRESHOLD = 1024;
/** Raw bytes per `set-buffer` command of a paste. */
const PASTE_CHUNK = 64 * 1024;

/**
 * One argument in single quotes, which tmux takes literally (`$`, `#{}`, `;`, `~`), as a
 * latin1 string of its UTF-8 bytes: command lines are written one char per byte. The text
 * must hold no newline (a command is one line).
 */
export function quoteText(argument: string): string {
  const quoted = `'${argument.replaceAll("'", `'"'"'`)}'`;
  return Buffer.from(quoted, 'utf8').toString('latin1');
}

/**
 * Any bytes as one double-quoted argument: tmux turns `\ooo` back into the byte, and
 * `$` and `\` and `"` are escaped so nothing expands. Newlines never appear raw.
 */
export function quoteBytes(bytes: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  const flush = (end: number) => {
    if (end > start) parts.push(Buffer.from(bytes.subarray(start, end)).toString('latin1'));
  };
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte < 0x20 || byte === 0x7f || byte === 0x22 || byte === 0x24 || byte === 0x5c) {
      flush(index);
      parts.push(`\\${byte.toString(8).padStart(3, '0')}`);
      start = index + 1;
    }
  }
  flush(bytes.length);
  // Built as latin1 so every byte stays one char; the caller writes the line as latin1.
  return `"${parts.join('')}"`;
}

/**
 * The commands that type `data` into `pane`, one per line, in order. Lines are latin1
 * strings (one char per byte): write them with `Buffer.from(line, 'latin1')`.
 */
export function inputCommands(pane: string, data: Uint8Array, bufferName: () => string): string[] {
  if (data.length > PASTE_THRESHOLD) return pasteCommands(pane, data, bufferName());
  const commands: string[] = [];
  let index = 0;
  while (index < data.length) {
    const control = isControl(data[index]!);
    let end = index + 1;
    while (end < data.length && isControl(data[end]!) === control) end++;
    const run = data.subarray(index, end);
    if (control) {
      for (let at = 0; at < run.length; at += HEX_CHUNK) {
        const hex = [...run.subarray(at, at + HEX_CHUNK)].map((byte) => byte.toString(16));
        commands.push(`send-keys -t ${pane} -H ${hex.join(' ')}`);
      }
    } else {
      // UTF-8 text; a broken sequence becomes U+FFFD rather than a byte tmux would misread.
      const text = new TextDecoder().decode(run);
      commands.push(`send-keys -t ${pane} -l -- ${quoteText(text)}`);
    }
    index = end;
  }
  return commands;
}

function pasteCommands(pane: string, data: Uint8Array, buffer: string): string[] {
  const commands: string[] = [];
  // tmux keeps a buffer as a C string: a NUL would cut it short, so NULs go as keys.
  let start = 0;
  while (start <= data.length) {
    let end = data.indexOf(0, start);
    if (end === -1) end = data.length;
    if (end > start) commands.push(...bufferCommands(pane, data.subarray(start, end), buffer));
    if (end < data.length) commands.push(`send-keys -t ${pane} -H 0`);
    start = end + 1;
  }
  return commands;
}

function bufferCommands(pane: string, data: Uint8Array, buffer: string): string[] {
  const commands: string[] = [];
  for (let at = 0; at < data.length; at += PASTE_CHUNK) {
    const append = at === 0 ? '' : '-a ';
    const chunk = quoteBytes(data.subarray(at, at + PASTE_CHUNK));
    commands.push(`set-buffer ${append}-b ${buffer} -- ${chunk}`);
  }
  // -r: no newline translation; -d: the buffer goes once pasted.
  commands.push(`paste-buffer -d -r -b ${buffer} -t ${pane}`);
  return commands;
}

/** C0 controls and DEL go as hex keys; everything else (UTF-8 included) as text. */
function isControl(byte: number): boolean {
  return byte < 0x20 || byte === 0x7f;
}
