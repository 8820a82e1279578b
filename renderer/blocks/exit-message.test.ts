import { describe, expect, it } from 'vitest';
import { exitMessage, notDurableNote } from './exit-message';

const facts = { exitCode: null, exitSignal: null, doneReason: null };

describe('exitMessage', () => {
  it('gives the exit code of a shell that exited', () => {
    expect(exitMessage({ ...facts, exitCode: 0 })).toBe('Shell exited with code 0');
    expect(exitMessage({ ...facts, exitCode: 127, exitSignal: 0 })).toBe(
      'Shell exited with code 127',
    );
  });

  it('names the signal of a shell that was killed', () => {
    expect(exitMessage({ ...facts, exitCode: 0, exitSignal: 9 })).toBe(
      'Shell was killed by signal 9',
    );
    expect(exitMessage({ ...facts, exitSignal: 15, doneReason: 'Stopped' })).toBe(
      'Shell was killed by signal 15',
    );
  });

  it("gives the session's reason when the shell left no status", () => {
    expect(exitMessage({ ...facts, doneReason: 'The app was restarted' })).toBe(
      'The app was restarted',
    );
  });

  it('falls back when nothing is known', () => {
    expect(exitMessage(facts)).toBe('The session has ended');
  });
});

describe('notDurableNote', () => {
  it('says a plain SSH shell ended with its connection', () => {
    expect(
      notDurableNote({ backend: 'plain', doneReason: 'Connection lost: no answer from the host' }),
    ).toBe('This SSH session was not durable: its shell ended when the connection was lost.');
  });

  it('says nothing for other endings or durable backends', () => {
    expect(notDurableNote({ backend: 'plain', doneReason: 'The shell exited' })).toBeNull();
    expect(notDurableNote({ backend: 'plain', doneReason: null })).toBeNull();
    expect(notDurableNote({ backend: 'tmux', doneReason: 'Connection lost' })).toBeNull();
    expect(notDurableNote({ backend: 'pty', doneReason: 'Connection lost' })).toBeNull();
  });
});
