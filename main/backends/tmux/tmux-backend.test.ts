// The tmux backend's answers about shells, asked of a real tmux server (private to this file):
// probe in one batch, recover by ref, remove; and the rule that picks tmux or pty for local
// sessions, with the reason a pty block shows.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isGone, type ShellProcess, type ShellSpec } from '../backend';
import { chooseLocalBackend } from '../local-backend';
import { TmuxBackend } from './tmux-backend';
import { GONE, TmuxServer } from './tmux-server';
import { tmux } from '../../testing/tmux-probe';

const dataDir = mkdtempSync(join(tmpdir(), 'tether-tmux-backend-'));
const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
const shells: ShellProcess[] = [];

afterEach(async () => {
  for (const shell of shells.splice(0)) shell.kill();
  await tmux(['kill-server']).catch(() => undefined);
});

function backend(): TmuxBackend {
  return new TmuxBackend({
    server: new TmuxServer({ configDir: dataDir }),
    features: { pause: true },
    log: quiet,
  });
}

function spec(sessionId: string, name: string | null = null): ShellSpec {
  return {
    sessionId,
    name,
    connection: 'local',
    file: '/bin/bash',
    args: ['--noprofile', '--norc'],
    cwd: dataDir,
    env: { HOME: dataDir, PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cols: 80,
    rows: 24,
  };
}

async function start(tmuxBackend: TmuxBackend, sessionId: string): Promise<ShellProcess> {
  const shell = await tmuxBackend.start(spec(sessionId));
  shells.push(shell);
  return shell;
}

describe('the tmux backend', () => {
  it('probes every shell in one batch: alive, gone with the exit code, gone when killed', async () => {
    const tmuxBackend = backend();
    const alive = await start(tmuxBackend, 'probe-alive');
    const exits = await start(tmuxBackend, 'probe-exits');
    const killed = await start(tmuxBackend, 'probe-killed');
    exits.write('exit 7\r');
    await tmux(['kill-session', '-t', '=probe-killed']);
    await expect
      .poll(async () => {
        const answers = await tmuxBackend.probe('local', [alive.ref, exits.ref, killed.ref]);
        return [...answers.values()];
      })
      .toEqual([
        { state: 'alive' },
        { state: 'gone', reason: 'The shell exited with code 7.', exitCode: 7 },
        { state: 'gone', reason: GONE.sessionKilled },
      ]);
  });

  it('recovers a shell by its ref after letting go of it, and says gone for a stale ref', async () => {
    const tmuxBackend = backend();
    const shell = await start(tmuxBackend, 'recover-me');
    shell.write('export MARK=kept\r');
    shell.release();
    const again = await tmuxBackend.recover(shell.ref, spec('recover-me'));
    if (isGone(again)) throw new Error(`not recovered: ${again.reason}`);
    shells.push(again);
    let seen = '';
    again.onData((data) => (seen += data.toString('utf8')));
    again.write('echo "mark=$MARK"\r');
    await expect.poll(() => seen).toMatch(/mark=kept/);
    expect(again.pid).toBe(shell.pid);

    // Same Tether id, another tmux session (restarted): the old ref finds nothing.
    const stale = JSON.stringify({ ...JSON.parse(shell.ref), created: 1 });
    expect(await tmuxBackend.recover(stale, spec('recover-me'))).toMatchObject({ state: 'gone' });
    expect(await tmuxBackend.recover('not json', spec('recover-me'))).toMatchObject({
      state: 'gone',
    });
  });

  it('delivers a resize before keys typed right after it (a command typed at once sees the new size)', async () => {
    const shell = await start(backend(), 'resize-then-type');
    let seen = '';
    shell.onData((data) => (seen += data.toString('utf8')));
    await expect.poll(() => seen).toMatch(/[$#] $/m);
    // tmux applies at most one pane resize per 250 ms and defers the rest (tmux's own rule,
    // server_client_check_pane_resize): let the attach's resize get past it first.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    seen = '';
    // Resizes are debounced; typing in the same turn must not overtake the last one.
    shell.resize(96, 30);
    shell.resize(97, 30);
    shell.write('echo "cols=$(tput cols)x$(tput lines)"\r');
    await expect.poll(() => seen).toMatch(/^cols=\d+x\d+\s*$/m);
    expect(seen).toMatch(/^cols=97x30\s*$/m);
  });

  it('puts no secret of the environment on the command line tmux keeps as its argv', async () => {
    const tmuxBackend = backend();
    const shell = await tmuxBackend.start({
      ...spec('env-secret'),
      env: { ...spec('env-secret').env, TETHER_SESSION_ID: 'env-secret', API_TOKEN: 'hunter2' },
    });
    shells.push(shell);
    let seen = '';
    shell.onData((data) => (seen += data.toString('utf8')));
    shell.write('echo "token=$API_TOKEN id=$TETHER_SESSION_ID"\r');
    // The shell has it (the server started with it), but `ps` shows nobody the value.
    await expect.poll(() => seen).toMatch(/token=hunter2 id=env-secret/);
    const serverPid = (await tmux(['display-message', '-p', '#{pid}'])).trim();
    const argv = readFileSync(`/proc/${serverPid}/cmdline`, 'utf8');
    expect(argv).toContain('TETHER_SESSION_ID=env-secret');
    expect(argv).not.toContain('hunter2');
  });

  it('starts and renames sessions whose names end in ; (tmux would split its command there)', async () => {
    const tmuxBackend = backend();
    const shell = await tmuxBackend.start(spec('semicolon', 'build;'));
    shells.push(shell);
    expect(await tmux(['list-sessions', '-F', '#{session_name}'])).toContain('build;\n');
    shell.rename?.('test;');
    await expect
      .poll(async () => await tmux(['list-sessions', '-F', '#{session_name}']))
      .toContain('test;\n');
  });

  it('remove ends the tmux session whether or not it is driven', async () => {
    const tmuxBackend = backend();
    const shell = await start(tmuxBackend, 'remove-me');
    await start(tmuxBackend, 'keeps-server');
    shell.release();
    await tmuxBackend.remove(shell.ref);
    expect(await tmux(['list-sessions', '-F', '#{@tether_id}'])).not.toContain('remove-me');
  });

  it('a probe with no server says gone; a probe that cannot run tmux says unreachable', async () => {
    const tmuxBackend = backend();
    const shell = await start(tmuxBackend, 'server-goes');
    await tmux(['kill-server']);
    const [gone] = (await tmuxBackend.probe('local', [shell.ref])).values();
    expect(gone).toMatchObject({ state: 'gone', reason: GONE.serverGone });

    const missing = new TmuxBackend({
      server: new TmuxServer({ configDir: dataDir, program: join(dataDir, 'no-tmux-here') }),
      features: { pause: true },
      log: quiet,
    });
    const [unreachable] = (await missing.probe('local', [shell.ref])).values();
    expect(unreachable).toMatchObject({ state: 'unreachable' });
  });
});

describe('choosing the local backend', () => {
  /** A directory with a `tmux` that only answers -V with `version`, first on the PATH. */
  function fakeTmux(version: string): NodeJS.ProcessEnv {
    const dir = mkdtempSync(join(tmpdir(), 'tether-fake-tmux-'));
    const program = join(dir, 'tmux');
    writeFileSync(program, `#!/bin/sh\necho "tmux ${version}"\n`);
    chmodSync(program, 0o755);
    return { ...process.env, PATH: `${dir}:/usr/bin:/bin` };
  }

  it('is tmux where tmux 3.0a or newer runs', async () => {
    const chosen = await chooseLocalBackend({ dataDir, log: quiet });
    expect(chosen.local.kind).toBe('tmux');
    expect(chosen.local.notDurable).toBeNull();
  });

  it('is pty, saying why, where tmux is missing or too old, or settings prefer it', async () => {
    const missing = await chooseLocalBackend({
      dataDir,
      log: quiet,
      env: { ...process.env, PATH: join(dataDir, 'nothing') },
    });
    expect(missing.local.kind).toBe('pty');
    expect(missing.local.notDurable).toMatch(/tmux is not installed/);

    const old = await chooseLocalBackend({ dataDir, log: quiet, env: fakeTmux('2.7') });
    expect(old.local.kind).toBe('pty');
    expect(old.local.notDurable).toMatch(/tmux 2.7 is too old .* 3.0a or newer/);
    const noLetter = await chooseLocalBackend({ dataDir, log: quiet, env: fakeTmux('3.0') });
    expect(noLetter.local.kind).toBe('pty');
    const enough = await chooseLocalBackend({ dataDir, log: quiet, env: fakeTmux('3.0a') });
    expect(enough.local.kind).toBe('tmux');

    const preferred = await chooseLocalBackend({ dataDir, log: quiet, prefer: 'pty' });
    expect(preferred.local.kind).toBe('pty');
    expect(preferred.local.notDurable).toMatch(/settings prefer/);
    // Sessions an earlier run started in tmux can still be re-joined.
    expect(preferred.recoverable.map((each) => each.kind)).toEqual(['tmux']);
  });
});

describe('a page that falls behind', () => {
  it('never freezes the shell: output is skipped meanwhile, and the stream repaints', async () => {
    const debug: string[] = [];
    const tmuxBackend = new TmuxBackend({
      server: new TmuxServer({ configDir: dataDir }),
      features: { pause: true },
      log: { debug: (message) => debug.push(message), info: () => {}, warn: () => {} },
    });
    const shell = await start(tmuxBackend, 'stalled-reader');
    let seen = '';
    shell.onData((data) => (seen = (seen + data.toString('latin1')).slice(-200_000)));
    await expect.poll(() => seen).toMatch(/[$#] $/m);
    shell.pause();
    shell.write('seq 1 300000; echo flood-done\r');
    // The shell finishes while the page is behind (a pty would block it; tmux must not).
    await expect
      .poll(
        async () =>
          (await tmux(['capture-pane', '-p', '-t', '=stalled-reader:'])).includes('flood-done'),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    shell.resume();
    // What was skipped comes back as a repaint of tmux's screen: a full reset, then the screen.
    await expect
      .poll(() => seen, { timeout: 15_000 })
      .toMatch(new RegExp(`${String.fromCharCode(27)}c[\\s\\S]*flood-done`));
    expect(debug.some((line) => /the page caught up; repainting/.test(line))).toBe(true);
    // Nothing of the flood itself came through while paused: only the repaint.
    expect(seen).not.toMatch(/^150000$/m);
  });
});
