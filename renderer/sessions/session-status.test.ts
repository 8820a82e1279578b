import { describe, expect, it } from 'vitest';
import { statusLabel, statusTone, headerName } from './session-status';

describe('session status words', () => {
  it('names every status in plain words', () => {
    expect(statusLabel('init')).toBe('starting');
    expect(statusLabel('running')).toBe('running');
    expect(statusLabel('disconnected')).toBe('disconnected');
    expect(statusLabel('done')).toBe('done');
  });

  it('colours running green, waiting amber and done grey', () => {
    expect(statusTone('running')).toBe('ok');
    expect(statusTone('init')).toBe('waiting');
    expect(statusTone('disconnected')).toBe('waiting');
    expect(statusTone('done')).toBe('ended');
  });
});

describe('headerName', () => {
  it('prefers the name, then the terminal title, then the display name', () => {
    expect(headerName({ name: 'build', displayName: 'build' }, 'vim main.c')).toBe('build');
    expect(headerName({ name: null, displayName: 'make -j8' }, 'vim main.c')).toBe('vim main.c');
    expect(headerName({ name: null, displayName: 'make -j8' }, '  ')).toBe('make -j8');
    expect(headerName({ name: null, displayName: '1a2b3c4d' }, '')).toBe('1a2b3c4d');
  });
});
