/**
 * Ctrl+Shift+C / Ctrl+Shift+V in a terminal: copy the selection and paste
 * the clipboard, as Linux terminals do, while plain Ctrl+C still reaches the shell.
 */
import type { Terminal } from '@xterm/xterm';

/** A custom key handler for xterm: false keeps the key from the shell. */
export function clipboardKeyHandler(
  term: Terminal,
  alive: () => boolean,
): (event: KeyboardEvent) => boolean {
  return (event) => {
    const chord = event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey;
    if (!chord || (event.code !== 'KeyC' && event.code !== 'KeyV')) return true;
    // Every phase of the chord is kept from xterm; only keydown acts. preventDefault
    // stops the browser's own Ctrl+Shift+V paste from pasting a second time.
    if (event.type === 'keydown') {
      event.preventDefault();
      if (event.code === 'KeyC') copySelection(term);
      else pasteClipboard(term, alive);
    }
    return false;
  };
}

function copySelection(term: Terminal): void {
  if (!term.hasSelection()) return;
  navigator.clipboard.writeText(term.getSelection()).catch((error: unknown) => {
    console.warn('tether: copy failed', error);
  });
}

function pasteClipboard(term: Terminal, alive: () => boolean): void {
  navigator.clipboard.readText().then(
    (text) => {
      // paste() applies bracketed paste mode and line-ending rules, as a real paste does.
      if (text && alive()) term.paste(text);
    },
    (error: unknown) => console.warn('tether: paste failed', error),
  );
}
