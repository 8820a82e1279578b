import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from './log';
import { LogDigest } from './log-digest';

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return {
    lines,
    log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

function digest(log: Logger): LogDigest {
  return new LogDigest(
    log,
    'info',
    (key, detail) => `mirror of session ${key} behind${detail}`,
    (key, count, seconds) =>
      `mirror of session ${key} behind: ${count} more in the last ${seconds} s`,
  );
}

afterEach(() => vi.useRealTimers());

describe('log digest', () => {
  it('writes a handful of lines for 10,000 events over 30 s', () => {
    vi.useFakeTimers();
    const { log, lines } = recorder();
    const events = digest(log);
    for (let i = 0; i < 10_000; i++) {
      events.note('s1');
      vi.advanceTimersByTime(3);
    }
    vi.advanceTimersByTime(20_000);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines[0]).toBe('info mirror of session s1 behind');
    expect(lines[1]).toMatch(/^info mirror of session s1 behind: \d+ more in the last 10 s$/);
    // Every event is counted in some line.
    const counted = lines
      .slice(1)
      .reduce((sum, line) => sum + Number(line.match(/: (\d+) more/)![1]), 1);
    expect(counted).toBe(10_000);
    events.dispose();
  });

  it('keeps keys apart and starts over after a quiet window', () => {
    vi.useFakeTimers();
    const { log, lines } = recorder();
    const events = digest(log);
    events.note('a', ' (first)');
    events.note('b');
    events.note('a');
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([
      'info mirror of session a behind (first)',
      'info mirror of session b behind',
      'info mirror of session a behind: 1 more in the last 10 s',
    ]);
    // A quiet window closes silently; the next event is a first line again.
    vi.advanceTimersByTime(10_000);
    events.note('a');
    expect(lines.at(-1)).toBe('info mirror of session a behind');
    expect(lines).toHaveLength(4);
    events.dispose();
  });
});
