import { describe, expect, it } from 'vitest';
import { statusLabel, statusTone } from './session-status';

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
