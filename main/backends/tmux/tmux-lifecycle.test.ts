// How a tmux session ends, and how a person reaches it: the shell's exit code, kills from
// outside (tmux kill-session, kill-server, SIGKILL of the server), delete in Tether, names in
// `tmux ls`, and `tmux attach` from a plain terminal. Real tmux in a private server, real bash.
import * as pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import { startHarness, type Harness, type TestClient } from '../../testing/core-harness';
import { paneOf, tmux } from '../../testing/tmux-probe';
import { GONE } from './tmux-server';

let harness: Harness | undefined;
const terminals: pty.IPty[] = [];
afterEach(async () => {
  for (const terminal of terminals.splice(0)) terminal.kill();
  await harness?.dispose();
  harness = undefined;
});

// The checker runs every minute (its default) unless a test is about it.
const onTmux = { localBackend: 'tmux' as const, env: { PS1: '$ ' } };

/** The latest sessionChanged event for a session. */
function latest(client: TestClient, sessionId: string): SessionInfo | undefined {
  for (let index = client.events.length - 1; index >= 0; index--) {
    const event = client.events[index]!;
    const session = (event.payload as { session?: SessionInfo }).session;
    if (event.name === 'sessionChanged' && session?.id === sessionId) return session;
  }
  return undefined;
}

async function started(options: { checkIntervalMs?: number } = {}) {
  harness = await startHarness({ ...onTmux, ...options });
  const attached = await harness.attachFirst(80, 24);
  const { zone } = attached.reply;
  const type = (data: string) =>
    attached.client.request('writeZone', { zone, blockId: attached.blockId, data });
  await type('echo up\r');
  await attached.client.untilText(zone, /up\r?\n/);
  return { ...attached, zone, type };
}

async function untilDone(client: TestClient, sessionId: string): Promise<SessionInfo> {
  // A limit for a broken test: a loaded tmux server may take seconds to reap a shell.
  return client.until(
    () => {
      const session = latest(client, sessionId);
      return session?.status === 'done' ? session : undefined;
    },
    `session ${sessionId} done`,
    20_000,
  );
}

describe('a tmux session ends', () => {
  it('with its exit code when the shell exits; the tmux session stays until deleted', async () => {
    const { client, zone, type } = await started();
    await type('exit 3\r');
    const done = await untilDone(client, zone);
    expect(done).toMatchObject({ exitCode: 3, doneReason: 'The shell exited with code 3.' });
    // remain-on-exit keeps the dead pane (its last screen) until Tether deletes the session.
    expect(await tmux(['list-sessions', '-F', '#{@tether_id} #{pane_dead}'])).toContain(
      `${zone} 1`,
    );
    await client.request('deleteSession', { sessionId: zone });
    await client.until(
      async () =>
        !(await tmux(['list-sessions', '-F', '#{@tether_id}']).catch(() => '')).includes(zone),
      'the tmux session to go',
    );
  });

  it('when tmux kill-session ends it from outside, and nothing brings it back', async () => {
    const { client, zone, blockId } = await started({ checkIntervalMs: 500 });
    // Another session keeps the server running (tmux stops it with its last session).
    await client.request('createSession', { connection: 'local', name: 'other' });
    const { session } = await paneOf(zone);
    await tmux(['kill-session', '-t', session]);
    const done = await untilDone(client, zone);
    expect(done.doneReason).toBe(GONE.sessionKilled);
    // The checker runs (every 500 ms here) and the session stays done; typing is refused.
    const runs = (await client.request('checkerReport', {})).runs;
    await client.until(
      async () => (await client.request('checkerReport', {})).runs > runs + 1,
      'two more checker runs',
    );
    expect(await client.request('sessionInfo', { sessionId: zone })).toMatchObject({
      status: 'done',
    });
    const typed = await client.call('writeZone', { zone, blockId, data: 'echo late\r' });
    expect(typed).toMatchObject({ ok: false, error: { code: 'not_running' } });
  });

  it('when tmux kill-server stops the server', async () => {
    const { client, zone } = await started();
    await tmux(['kill-server']);
    const done = await untilDone(client, zone);
    expect(done.doneReason).toBe(GONE.serverGone);
  });

  it('when the tmux server is killed with SIGKILL', async () => {
    const { client, zone } = await started();
    const serverPid = Number((await tmux(['display-message', '-p', '#{pid}'])).trim());
    process.kill(serverPid, 'SIGKILL');
    const done = await untilDone(client, zone);
    expect(done.doneReason).toBe(GONE.serverCrashed);
  });

  it('while Tether was closed: it is done at start-up with the reason', async () => {
    const { zone, client: first } = await started();
    await first.request('createSession', { connection: 'local', name: 'other' });
    const { session } = await paneOf(zone);
    await harness!.core.dispose();
    await tmux(['kill-session', '-t', session]);
    await harness!.restart(onTmux);
    const client = harness!.client();
    expect(await client.request('sessionInfo', { sessionId: zone })).toMatchObject({
      status: 'done',
      doneReason: GONE.sessionKilled,
    });
  });
});

describe('a session from before tmux', () => {
  it('ended with the app on pty, restarts on tmux and stays running', async () => {
    harness = await startHarness({ localBackend: 'pty' });
    const first = await harness.attachFirst(80, 24);
    const sessionId = first.reply.zone;
    await harness.restart({ ...onTmux, checkIntervalMs: 300 });
    const { client, reply, blockId } = await harness.attachFirst(80, 24);
    expect(reply.session).toMatchObject({ id: sessionId, status: 'done', backend: 'pty' });
    const restarted = await client.request('restartSession', {
      sessionId,
      blockId,
      cols: 80,
      rows: 24,
    });
    expect(restarted.session).toMatchObject({
      status: 'running',
      backend: 'tmux',
      notDurable: null,
    });
    const runs = (await client.request('checkerReport', {})).runs;
    await client.until(
      async () => (await client.request('checkerReport', {})).runs > runs + 1,
      'two more checker runs',
    );
    expect(await client.request('sessionInfo', { sessionId })).toMatchObject({
      status: 'running',
      backend: 'tmux',
    });
    expect((await paneOf(sessionId)).pid).toBeGreaterThan(0);
  });
});

describe('a person reaches a tmux session', () => {
  it('by its Tether name in tmux ls, renamed as Tether renames it', async () => {
    const { client, zone } = await started();
    expect((await paneOf(zone)).name).toBe(zone);
    await client.request('renameSession', { sessionId: zone, name: 'build.main' });
    // tmux folds "." (its target syntax) into "_".
    await client.until(async () => (await paneOf(zone)).name === 'build_main', 'the tmux name');
    const listed = await tmux(['ls']);
    expect(listed).toMatch(/^build_main: 1 windows/m);
    await client.request('renameSession', { sessionId: zone, name: null });
    await client.until(async () => (await paneOf(zone)).name === zone, 'the id as name again');
  });

  it('with tmux attach from a plain terminal: both type into the same shell, live', async () => {
    const { client, zone, type } = await started();
    await client.request('renameSession', { sessionId: zone, name: 'shared' });
    await client.until(async () => (await paneOf(zone)).name === 'shared', 'the tmux name');
    let seen = '';
    const outside = pty.spawn('tmux', ['-L', 'tether', 'attach', '-t', '=shared'], {
      cols: 100,
      rows: 30,
      env: process.env as Record<string, string>,
    });
    terminals.push(outside);
    outside.onData((data) => (seen += data));
    await client.until(() => seen.includes('up'), 'the plain terminal to show the screen');
    outside.write('echo from-outside-$((6*7))\r');
    await client.untilText(zone, /from-outside-42/);
    await type('echo from-tether-$((6*8))\r');
    await client.until(() => seen.includes('from-tether-48'), 'the plain terminal to see it');
  });
});
