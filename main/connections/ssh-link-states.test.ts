/**
 * The link under SSH sessions, through the whole core against a real sshd
 * behind a fault proxy: lost, stalled, refused and idle links, as every
 * window sees them, and what a plain session does when its link goes (the
 * tmux side: ssh-durable.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreOptions } from '../core';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy } from '../testing/ssh/fault-proxy';
import { freePort } from '../testing/ssh/free-port';
import { writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd, type TestSshdOptions } from '../testing/ssh/test-sshd';
import {
  askAboutHostKeys,
  atPrompt,
  ended,
  coreOn,
  openBlock,
  running,
  sessionOf,
  setUp as setUpWith,
  statuses,
  type,
  WAIT_MS,
} from '../testing/ssh/core-ssh';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());
const setUp = (sshd?: TestSshdOptions, ssh?: CoreOptions['ssh']) => setUpWith(cleanups, sshd, ssh);

describe('SSH links under sessions', () => {
  it('a lost link ends a plain session with "Connection lost"; the link comes back by itself', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    // Plain shells (no tmux on hosts): sessions/ssh-durable.test.ts has the tmux side.
    const harness = await coreOn(sshd, cleanups, { backoffMs: [200, 500], backend: 'plain' });
    const client = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'viaproxy');
    await running(client, sessionId);
    // Cut once the login shell is at its prompt (not halfway through its rc files).
    await atPrompt(client, zone, block.id);
    proxy.cut();
    const done = await ended(client, sessionId);
    expect(done?.doneReason).toMatch(/^Connection lost: /);
    await client.until(
      () => statuses(client, 'viaproxy').some((status) => status.state === 'disconnected'),
      'disconnected',
      WAIT_MS,
    );
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'connected',
      'reconnected',
      WAIT_MS,
    );
    // Restart opens a new shell on the link that came back.
    const again = await client.request('restartSession', {
      sessionId,
      blockId: block.id,
      cols: 80,
      rows: 24,
    });
    expect(again.zone).toBe(sessionId);
    await client.until(
      () => sessionOf(client, sessionId)?.status === 'running',
      'running again',
      WAIT_MS,
    );
    await type(client, zone, block.id, 'echo again-$((3*3))\r');
    await client.untilText(zone, /again-9/, WAIT_MS);
  });

  it('a dead port is refused quickly and retried; Reconnect says why it failed', async () => {
    const { sshd, client } = await setUp();
    askAboutHostKeys(sshd, [{ alias: 'deadhost', port: await freePort() }]);
    const { sessionId } = await openBlock(client, 'deadhost');
    const done = await ended(client, sessionId);
    expect(done?.doneReason).toMatch(/refused/i);
    const status = statuses(client, 'deadhost').at(-1);
    expect(status).toMatchObject({
      state: 'disconnected',
      message: expect.stringMatching(/refused/i),
    });
    expect(status?.retryAt).toEqual(expect.any(Number));
    const reconnect = await client.call('reconnect', { connection: 'deadhost' });
    expect(reconnect).toMatchObject({
      ok: false,
      error: { code: 'connection_failed', message: expect.stringMatching(/refused/i) },
    });
  });

  it('shows a stalled link, then a lost one, and reconnects when the network returns', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    // Keepalives every second: stalled after 1.5 s, dropped after 4 s of silence.
    const config = readFileSync(sshd.clientConfigPath, 'utf8');
    writeFileSync(
      sshd.clientConfigPath,
      config.replace(
        'Host viaproxy',
        'Host viaproxy\n  ServerAliveInterval 1\n  ServerAliveCountMax 3',
      ),
    );
    const harness = await coreOn(sshd, cleanups, { backoffMs: [300, 500], backend: 'plain' });
    const client = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'viaproxy');
    await running(client, sessionId);
    await atPrompt(client, zone, block.id);
    proxy.stall();
    const stalled = await client.until(
      () => statuses(client, 'viaproxy').find((status) => status.state === 'stalled'),
      'stalled',
      WAIT_MS,
    );
    // When the host was last heard from: at least the stall threshold (1.5 s) ago.
    expect(stalled.silentSince).toEqual(expect.any(Number));
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'disconnected',
      'disconnected',
      WAIT_MS,
    );
    const done = await ended(client, sessionId);
    expect(done?.doneReason).toMatch(/^Connection lost: /);
    proxy.release();
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'connected',
      'reconnected',
      WAIT_MS,
    );
  }, 40_000);

  it('closes a link nothing runs on after a while: the connection shows idle', async () => {
    const { client } = await setUp({}, { linkIdleMs: 200 });
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    await running(client, sessionId);
    await atPrompt(client, zone, block.id);
    await client.request('deleteSession', { sessionId });
    await client.until(
      () => statuses(client, 'testhost').at(-1)?.state === 'idle',
      'idle',
      WAIT_MS,
    );
  });
});
