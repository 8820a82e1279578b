import { describe, expect, it } from 'vitest';
import { exitMessage } from './exit-message';

const shell = '/bin/bash';

describe('exitMessage', () => {
  it('gives the exit code of a shell that exited', () => {
    expect(exitMessage({ status: 'exited', exitCode: 0, signal: null, shell })).toBe(
      'Process exited with code 0',
    );
    expect(exitMessage({ status: 'exited', exitCode: 127, signal: 0, shell })).toBe(
      'Process exited with code 127',
    );
  });

  it('names the signal of a shell that was killed', () => {
    expect(exitMessage({ status: 'exited', exitCode: 0, signal: 9, shell })).toBe(
      'Process terminated by signal 9',
    );
    expect(exitMessage({ status: 'exited', exitCode: null, signal: 15, shell })).toBe(
      'Process terminated by signal 15',
    );
  });

  it('falls back when neither is known', () => {
    expect(exitMessage({ status: 'exited', exitCode: null, signal: null, shell })).toBe(
      'Process exited',
    );
  });
});
