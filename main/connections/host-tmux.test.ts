import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBE_SCRIPT, readProbe } from './host-tmux';
import { shellQuote } from './ssh-tmux-transport';

describe('asking a host for tmux', () => {
  it('runs in sh and finds this machine’s tmux, its version and terminfo', () => {
    const out = execFileSync('/bin/sh', ['-c', PROBE_SCRIPT], { encoding: 'utf8' });
    const answer = readProbe(out, 'here');
    expect(answer).toMatchObject({ usable: true, program: expect.stringMatching(/tmux$/) });
  });

  it('says tmux is missing where no PATH has it', () => {
    const home = mkdtempSync(join(tmpdir(), 'tether-probe-'));
    try {
      const out = execFileSync('/bin/sh', ['-c', PROBE_SCRIPT], {
        encoding: 'utf8',
        env: { PATH: '/nonexistent', HOME: home },
      });
      expect(readProbe(out, 'devbox')).toEqual({
        usable: false,
        reason: 'tmux not found on devbox.',
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses a tmux older than 3.0a, and an answer cut short', () => {
    expect(readProbe('path=/usr/bin/tmux\nversion=tmux 2.7\nprobed=1\n', 'devbox')).toEqual({
      usable: false,
      reason: 'tmux 2.7 on devbox is too old; 3.0a or newer is needed.',
    });
    expect(readProbe('path=/usr/bin/tmux\nversion=tmux 3.0\nprobed=1\n', 'devbox')).toMatchObject({
      usable: false,
    });
    expect(readProbe('path=/usr/bin/tmux\nversion=tmux 3.0a\nprobed=1\n', 'devbox')).toMatchObject({
      usable: true,
      terminal: 'screen-256color',
    });
    // Cut short (the link dropped): nothing decided, asked again later.
    expect(() => readProbe('path=/usr/bin/tmux\n', 'devbox')).toThrow(/did not finish/);
  });

  it('quotes words for any POSIX-like shell', () => {
    expect(shellQuote('list-sessions')).toBe('list-sessions');
    expect(shellQuote('#{session_id}\t#{@tether_id}')).toBe("'#{session_id}\t#{@tether_id}'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote("a 'b' $HOME;")}`], {
      encoding: 'utf8',
    });
    expect(echoed).toBe("a 'b' $HOME;");
  });
});
