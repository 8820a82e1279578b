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
  const plain = { backend: 'plain' as const, notDurable: 'SSH shells run without tmux.' };
  const RESTARTED = 'Tether restarted; a local (pty) shell ends with the app.';

  it('says a plain SSH shell ended with its connection', () => {
    expect(
      notDurableNote({ ...plain, doneReason: 'Connection lost: no answer from the host' }),
    ).toBe('This SSH session was not durable: its shell ended when the connection was lost.');
  });

  it('names why a local pty shell ended when Tether restarted', () => {
    expect(
      notDurableNote({
        backend: 'pty',
        doneReason: RESTARTED,
        notDurable: 'tmux is not installed, so local shells end when Tether quits.',
      }),
    ).toBe(
      'This session was not durable. tmux is not installed, so local shells end when Tether quits.',
    );
  });

  it('still says why when the reason is not known', () => {
    expect(notDurableNote({ backend: 'pty', doneReason: RESTARTED, notDurable: null })).toBe(
      'This session was not durable. It ran without tmux.',
    );
  });

  it('says nothing for other endings or durable backends', () => {
    expect(notDurableNote({ ...plain, doneReason: 'The shell exited' })).toBeNull();
    expect(notDurableNote({ ...plain, doneReason: null })).toBeNull();
    expect(notDurableNote({ ...plain, backend: 'tmux', doneReason: 'Connection lost' })).toBeNull();
    expect(notDurableNote({ ...plain, backend: 'pty', doneReason: 'Connection lost' })).toBeNull();
    expect(notDurableNote({ ...plain, backend: 'tmux', doneReason: RESTARTED })).toBeNull();
    expect(
      notDurableNote({ backend: 'pty', doneReason: 'Shell exited', notDurable: 'No tmux.' }),
    ).toBeNull();
  });
});
