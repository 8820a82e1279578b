import { describe, expect, it } from 'vitest';
import type { LinkStatus } from '../state/connections';
import { headerName, reconnectWords, statusLabel, statusTone, statusWords } from './session-status';

const link = (changes: Partial<LinkStatus>): LinkStatus => ({
  connection: 'viaproxy',
  state: 'disconnected',
  message: 'Connection refused',
  retryAt: null,
  silentSince: null,
  since: 0,
  ...changes,
});

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

describe('what brings a disconnected session back', () => {
  it('counts down to the next attempt, then says it is reconnecting', () => {
    const waiting = link({ retryAt: 10_000 });
    expect(reconnectWords(waiting, 5_500)).toBe('reconnecting in 5 s');
    expect(reconnectWords(waiting, 9_999)).toBe('reconnecting in 1 s');
    expect(reconnectWords(waiting, 10_000)).toBe('reconnecting…');
    expect(reconnectWords(link({ state: 'connecting' }), 0)).toBe('reconnecting…');
    expect(reconnectWords(link({ state: 'stalled' }), 0)).toBe('reconnecting…');
  });

  it('reconnects a link nothing has used yet (after a restart: showing the session starts it)', () => {
    expect(reconnectWords(null, 0)).toBe('reconnecting…');
    expect(reconnectWords(link({ state: 'idle' }), 0)).toBe('reconnecting…');
  });

  it('is resuming once the link is back, and says so when nothing will try by itself', () => {
    expect(reconnectWords(link({ state: 'connected' }), 0)).toBe('resuming…');
    expect(reconnectWords(link({ retryAt: null }), 0)).toBe('not reconnecting');
    expect(reconnectWords(link({ state: 'error' }), 0)).toBe('not reconnecting');
  });

  it('joins the status and what brings it back, for disconnected sessions only', () => {
    const waiting = link({ retryAt: 4_000 });
    expect(statusWords('disconnected', waiting, 0)).toBe('disconnected — reconnecting in 4 s');
    expect(statusWords('running', waiting, 0)).toBe('running');
    expect(statusWords('done', waiting, 0)).toBe('done');
    expect(statusWords('init', null, 0)).toBe('starting');
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
