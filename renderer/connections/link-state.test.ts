import { describe, expect, it } from 'vitest';
import type { LinkStatus } from '../state/connections';
import { canReconnect, linkDescription, linkLabel, linkTone, ticks } from './link-state';

const status = (changes: Partial<LinkStatus>): LinkStatus => ({
  connection: 'devbox',
  state: 'connected',
  message: null,
  retryAt: null,
  silentSince: null,
  since: 1_000,
  ...changes,
});

describe('link words and tones', () => {
  it('names each state', () => {
    expect(linkLabel('connecting')).toBe('connecting…');
    expect(linkLabel('connected')).toBe('connected');
    expect(linkLabel('idle')).toBe('not connected');
  });

  it('is green when up, amber in doubt, red when down, nothing for local', () => {
    expect(linkTone('connected')).toBe('ok');
    expect(linkTone('connecting')).toBe('waiting');
    expect(linkTone('stalled')).toBe('waiting');
    expect(linkTone('disconnected')).toBe('failed');
    expect(linkTone('error')).toBe('failed');
    expect(linkTone('idle')).toBe('ended');
    expect(linkTone('ready')).toBe('none');
  });

  it('offers Reconnect only when the link is down', () => {
    expect(canReconnect('disconnected')).toBe(true);
    expect(canReconnect('error')).toBe(true);
    for (const state of ['ready', 'idle', 'connecting', 'connected', 'stalled'] as const) {
      expect(canReconnect(state)).toBe(false);
    }
  });
});

describe('linkDescription', () => {
  it('counts a stall from when the host was last heard, as main reports it', () => {
    // Main noticed the stall at 16 s; the host last answered at 1 s.
    const stalled = status({ state: 'stalled', since: 16_000, silentSince: 1_000 });
    expect(linkDescription(stalled, 21_400)).toBe('stalled: no answer from the host for 20 s');
  });

  it('says how long a stalled host has not answered', () => {
    expect(linkDescription(status({ state: 'stalled' }), 21_400)).toBe(
      'stalled: no answer from the host for 20 s',
    );
    expect(linkDescription(status({ state: 'stalled', message: 'keepalives unanswered' }), 0)).toBe(
      'stalled: keepalives unanswered',
    );
  });

  it('counts down to the next attempt of a disconnected link', () => {
    const down = status({ state: 'disconnected', message: 'Connection refused', retryAt: 10_000 });
    expect(linkDescription(down, 5_500)).toBe('disconnected: Connection refused; retrying in 5 s');
    expect(linkDescription(down, 10_000)).toBe('disconnected: Connection refused; retrying now');
    expect(linkDescription(status({ state: 'disconnected' }), 0)).toBe(
      'disconnected; not retrying',
    );
  });

  it('gives the error', () => {
    expect(
      linkDescription(status({ state: 'error', message: 'Permission denied (publickey)' }), 0),
    ).toBe('error: Permission denied (publickey)');
  });

  it('is the word for the other states', () => {
    expect(linkDescription(status({ state: 'connected' }), 0)).toBe('connected');
    expect(linkDescription(status({ state: 'connecting' }), 0)).toBe('connecting…');
  });

  it('ticks only while the words change with time', () => {
    expect(ticks(status({ state: 'stalled' }))).toBe(true);
    expect(ticks(status({ state: 'disconnected', retryAt: 5 }))).toBe(true);
    expect(ticks(status({ state: 'disconnected' }))).toBe(false);
    expect(ticks(status({ state: 'connected' }))).toBe(false);
    expect(ticks(null)).toBe(false);
  });
});
