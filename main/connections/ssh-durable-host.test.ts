/**
 * Durable SSH sessions and their host, through the whole core against a real
 * sshd with tmux: an app restart, many sessions past sshd's MaxSessions, a
 * host without tmux, a host with tmux 3.0a's limits, `tmux attach` from a
 * plain terminal, and the reaper's deadline for a host that cannot be reached.
 */
import { spawn as spawnPty } from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../testing/core-harness';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy } from '../testing/ssh/fault-proxy';
import { writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd } from '../testing/ssh/test-sshd';
import { testResolver } from '../ssh/ssh-connect-testing';
import {
  atPrompt,
  coreOn,
  openBlock,
  running,
  setUp,
  type,
  WAIT_MS,
} from '../testing/ssh/core-ssh';
import { untilStatus } from '../testing/ssh/durable-checks';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('durable SSH sessions and their host', () => {
  it('an app restart: the block resumes its session, same shell (pid) and same variables', async () => {
    const { harness, client } = await setUp(cleanups);
    // The workspace's own block (one in a layout, so it is there after the restart).
    const { blockId } = await harness.attachFirst();
    const moved = await client.request('switchConnection', { blockId, connection: 'testhost' });
    const sessionId = moved.sessionId!;
    const zone = sessionId;
    const block = { id: blockId };
    await client.request('attachBlock', { blockId, cols: 100, rows: 30 });
    await running(client, sessionId);
    await atPrompt(client, zone, block.id);
    await type(client, zone, block.id, 'export X=42; echo "pid=[$$]"\r');
    const pid = (await client.untilText(zone, /pid=\[(\d+)\]/, WAIT_MS))[1];
    await harness.restart();
    const again = harness.client();
    // Not asked at start-up (no link, no login prompt): the block's attach resumes it.
    expect((await again.request('listSessions', {})).find((s) => s.id === sessionId)?.status).toBe(
      'disconnected',
    );
    await again.request('attachBlock', { blockId: block.id, cols: 100, rows: 30 });
    await untilStatus(again, sessionId, 'running');
    await type(again, zone, block.id, 'echo "x=[$X] pid=[$$]"\r');
    await again.untilText(zone, new RegExp(`x=\\[42\\] pid=\\[${pid}\\]`), WAIT_MS);
  }, 60_000);

  it('50 sessions on one host with sshd’s default MaxSessions 10: all run, each answers', async () => {
    const { sshd, client } = await setUp(cleanups);
    const blocks = await Promise.all(
      Array.from({ length: 50 }, () => openBlock(client, 'testhost')),
    );
    for (const { sessionId } of blocks) await running(client, sessionId);
    await Promise.all(
      blocks.map(({ block, zone }, index) =>
        type(client, zone, block.id, `echo "answer-$((${index} + 5000))"\r`),
      ),
    );
    for (const [index, { zone }] of blocks.entries()) {
      await client.untilText(zone, new RegExp(`answer-${index + 5000}`), WAIT_MS);
    }
    const listed = await sshd.hostTmux(['list-sessions', '-F', '#{@tether_id}']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(50);
    // Ten channels per link: the control clients spread over at least five logins.
    const logins = sshd.log().match(/Accepted publickey/g) ?? [];
    expect(logins.length).toBeGreaterThanOrEqual(5);
  }, 240_000);

  it('a host without tmux gives a plain session, marked not durable with the reason', async () => {
    const { client } = await setUp(cleanups, { tmux: false });
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    const session = await running(client, sessionId);
    expect(session.backend).toBe('plain');
    expect(session.notDurable).toMatch(/^tmux not found on testhost\. A lost connection ends/);
    await type(client, zone, block.id, 'echo "plain-$((6*7))"\r');
    await client.untilText(zone, /plain-42/, WAIT_MS);
  });

  it('a host with tmux 3.0a’s limits (no pause mode) runs, floods and resumes', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    const harness = await coreOn(sshd, cleanups, {
      backoffMs: [200, 300],
      tmuxFeatures: { pause: false },
    });
    const client = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'viaproxy');
    await running(client, sessionId);
    await atPrompt(client, zone, block.id);
    await type(client, zone, block.id, 'seq 1 200000 | tail -n 1; echo "flood-$((2*3))"\r');
    await client.untilText(zone, /flood-6/, WAIT_MS);
    proxy.refuse(true);
    proxy.cut();
    await untilStatus(client, sessionId, 'disconnected');
    proxy.refuse(false);
    await untilStatus(client, sessionId, 'running');
    await atPrompt(client, zone, block.id);
  }, 60_000);

  it('`tmux -L tether attach` from a plain terminal on the host joins the same shell, live', async () => {
    const { sshd, client } = await setUp(cleanups);
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    await running(client, sessionId);
    await client.request('renameSession', { sessionId, name: 'work' });
    await atPrompt(client, zone, block.id);
    const terminal = spawnPty(
      'ssh',
      [
        '-F',
        sshd.clientConfigPath,
        '-o',
        'BatchMode=yes',
        '-tt',
        'testhost',
        'tmux -L tether attach -t work',
      ],
      { cols: 100, rows: 30, env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color' } },
    );
    let seen = '';
    terminal.onData((data) => (seen += data));
    cleanups.add({ stop: async () => terminal.kill() });
    // What the plain terminal types runs in Tether's session, and the other way round.
    await client.until(() => seen.length > 0, 'the plain terminal attached', WAIT_MS);
    terminal.write('echo "from-plain-$((6*7))"\r');
    await client.untilText(zone, /from-plain-42/, WAIT_MS);
    await type(client, zone, block.id, 'echo "from-tether-$((7*7))"\r');
    await client.until(
      () => /from-tether-49/.test(seen),
      'Tether’s line in the plain terminal',
      WAIT_MS,
    );
  });

  it('a session reaped while its host is unreachable is ended on the host at the next contact', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    const harness = await startHarness({
      ssh: { home: sshd.home, agentSocket: undefined, resolve: testResolver(), backoffMs: [200] },
      idle: { anonymousMs: 500 },
      checkIntervalMs: 200,
    });
    cleanups.add({ stop: () => harness.dispose() });
    const client = harness.client();
    const { block, sessionId } = await openBlock(client, 'viaproxy');
    await running(client, sessionId);
    const hostSessions = async () =>
      (await sshd.hostTmux(['list-sessions', '-F', '#{@tether_id}'])).stdout.trim();
    expect(await hostSessions()).toBe(sessionId);
    proxy.refuse(true);
    proxy.cut();
    await untilStatus(client, sessionId, 'disconnected');
    // Nothing shows it any more: past its deadline, the reaper deletes it.
    await client.request('detachBlock', { blockId: block.id });
    await client.until(
      () =>
        client.events.some(
          (event) =>
            event.name === 'sessionRemoved' &&
            (event.payload as { sessionId: string }).sessionId === sessionId,
        ),
      'reaped',
      WAIT_MS,
    );
    // Still on the host (it could not be reached); ended there once it can be.
    expect(await hostSessions()).toBe(sessionId);
    proxy.refuse(false);
    const deadline = Date.now() + WAIT_MS;
    while ((await hostSessions()) !== '') {
      if (Date.now() > deadline) throw new Error('the reaped session still runs on the host');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60_000);
});
