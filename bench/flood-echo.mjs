// Benchmark helper run inside a Tether terminal: floods stdout with text and,
// for every keystroke it reads, answers with an OSC 7777 marker queued behind
// the flood, so the page can time keystroke → visible answer during a flood.
// Stops on Ctrl-C (raw mode) or after 60 s.
import { stdin, stdout } from 'node:process';

const line = `${'flood '.repeat(12)}\n`.repeat(64);
let running = true;
stdin.setRawMode?.(true);
stdin.on('data', (data) => {
  for (const byte of data) {
    if (byte === 3) {
      running = false;
      stdin.setRawMode?.(false);
      process.exit(0);
    }
    stdout.write(`\x1b]7777;${byte}\x07`);
  }
});
setTimeout(() => process.exit(0), 60_000);
// Writes to a TTY are synchronous in Node (they block while the terminal is
// behind), so yield between bursts to read keystrokes.
function pump() {
  for (let burst = 0; running && burst < 16; burst++) stdout.write(line);
  if (running) setImmediate(pump);
}
pump();
