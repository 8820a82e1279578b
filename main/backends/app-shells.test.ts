// The shells of a backend that ends with the app, asked about as the checker and start-up ask:
// real bash through node-pty.
import { afterEach, describe, expect, it } from 'vitest';
import { PtyBackend, PTY_ENDED_WITH_APP } from './pty-backend';
import type { ShellProcess } from './backend';

const started: ShellProcess[] = [];
afterEach(() => {
  for (const shell of started.splice(0)) shell.kill();
});

describe('a backend whose shells end with the app', () => {
  it('answers a probe from what it started, and recovers nothing', async () => {
    const backend = new PtyBackend('no tmux here');
    const spec = {
      sessionId: 's',
      name: null,
      connection: 'local',
      file: '/bin/bash',
      args: ['--norc', '--noprofile'],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      cols: 80,
      rows: 24,
    };
    const running = await backend.start(spec);
    const ending = await backend.start(spec);
    started.push(running, ending);
    const exited = new Promise((resolve) => ending.onExit(resolve));
    ending.kill();
    await exited;
    const answers = await backend.probe('local', [running.ref, ending.ref, '{"pid":1}']);
    expect([...answers.values()]).toEqual([
      { state: 'alive' },
      { state: 'gone', reason: 'The shell is gone.' },
      { state: 'gone', reason: 'The shell is gone.' },
    ]);
    expect(await backend.recover()).toEqual({ state: 'gone', reason: PTY_ENDED_WITH_APP });
    expect(JSON.parse(running.ref)).toMatchObject({ pid: running.pid });
    expect(backend.notDurable).toBe('no tmux here');
  });
});
