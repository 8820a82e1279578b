// Input as tmux commands: what goes as text, as hex keys, and through a paste buffer.
import { describe, expect, it } from 'vitest';
import { inputCommands, PASTE_THRESHOLD, quoteText } from './tmux-command';

const names = () => {
  let count = 0;
  return () => `b${++count}`;
};

describe('inputCommands', () => {
  it('sends text literally and control bytes as hex keys, in order', () => {
    expect(inputCommands('%3', Buffer.from("echo 'hi' $X\r\x1b[A"), names())).toEqual([
      `send-keys -t %3 -l -- ${quoteText("echo 'hi' $X")}`,
      'send-keys -t %3 -H d 1b',
      `send-keys -t %3 -l -- ${quoteText('[A')}`,
    ]);
  });

  it('pastes long input through a buffer, and a NUL (which would cut a buffer) as a key', () => {
    const text = 'a'.repeat(PASTE_THRESHOLD);
    const data = Buffer.concat([Buffer.from(text), Buffer.from([0]), Buffer.from('$tail\n')]);
    const commands = inputCommands('%3', data, names());
    expect(commands).toEqual([
      `set-buffer -b b1 -- "${text}"`,
      'paste-buffer -d -r -b b1 -t %3',
      'send-keys -t %3 -H 0',
      'set-buffer -b b1 -- "\\044tail\\012"',
      'paste-buffer -d -r -b b1 -t %3',
    ]);
    // Every command is one line.
    expect(commands.every((line) => !line.includes('\n'))).toBe(true);
  });
});
