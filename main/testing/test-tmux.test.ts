/**
 * The private tmux server of the tests: its socket lives in its own temp dir,
 * it never inherits the caller's TMUX, errors carry tmux's words, and dispose
 * leaves no server and no dir behind.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestTmux, type TestTmux } from './test-tmux';

const started: TestTmux[] = [];
afterEach(async () => {
  for (const tmux of started.splice(0)) await tmux.dispose();
});

async function start(): Promise<TestTmux> {
  const tmux = await startTestTmux();
  started.push(tmux);
  return tmux;
}

/** Alive and not a zombie (where pid 1 does not reap, a dead server lingers as one). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('startTestTmux', () => {
  it('starts no server until asked, then serves from a socket inside its own temp dir', async () => {
    const tmux = await start();
    expect(tmux.env.TMUX_TMPDIR).toBe(tmux.tmpdir);
    const socket = join(tmux.tmpdir, `tmux-${userInfo().uid}`, 'tether');
    expect(existsSync(socket)).toBe(false);

    await tmux.run(['new-session', '-d', '-s', 'one', '-x', '40', '-y', '10', 'sleep 1000']);
    expect(statSync(socket).isSocket()).toBe(true);
    expect(await tmux.run(['display-message', '-p', '-t', '=one:', '#{socket_path}'])).toBe(
      `${socket}\n`,
    );
  });

  it('hides the caller’s TMUX and TMUX_PANE from tmux', async () => {
    const saved = { TMUX: process.env.TMUX, TMUX_PANE: process.env.TMUX_PANE };
    process.env.TMUX = '/tmp/someone-else,1,0';
    process.env.TMUX_PANE = '%9';
    let tmux: TestTmux;
    try {
      tmux = await start();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(tmux.env.TMUX).toBeUndefined();
    expect(tmux.env.TMUX_PANE).toBeUndefined();
    await tmux.run(['new-session', '-d', '-s', 'two', 'sleep 1000']);
    expect(await tmux.run(['list-sessions', '-F', '#{session_name}'])).toBe('two\n');
  });

  it('rejects with what tmux printed on stderr', async () => {
    const tmux = await start();
    await tmux.run(['new-session', '-d', '-s', 'three', 'sleep 1000']);
    await expect(tmux.run(['has-session', '-t', '=nosuch'])).rejects.toThrow(/can't find session/);
  });

  it('kills the server and removes the temp dir, and is happy without a server', async () => {
    const tmux = await startTestTmux();
    await tmux.run(['new-session', '-d', '-s', 'four', 'sleep 1000']);
    const pid = Number(await tmux.run(['display-message', '-p', '#{pid}']));
    expect(isRunning(pid)).toBe(true);
    await tmux.dispose();
    expect(existsSync(tmux.tmpdir)).toBe(false);
    await expect.poll(() => isRunning(pid)).toBe(false);

    const idle = await startTestTmux();
    await idle.dispose();
    expect(existsSync(idle.tmpdir)).toBe(false);
  });
});
