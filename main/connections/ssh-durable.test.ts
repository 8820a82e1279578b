/**
 * Durable SSH sessions through the whole core, against a real sshd with tmux
 * (its own TMUX_TMPDIR) behind the fault proxy: a cut or stalled link makes
 * a session `disconnected`, never done; when the link is back the session
 * runs again by itself with every line it printed meanwhile, exactly once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/core-harness';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy, type FaultProxy } from '../testing/ssh/fault-proxy';
import { writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd, type TestSshd } from '../testing/ssh/test-sshd';
import { atPrompt, coreOn, openBlock, running, sessionOf, WAIT_MS } from '../testing/ssh/core-ssh';
import { counterLines, untilStatus } from '../testing/ssh/durable-checks';
import { startCounter, stopCounter, type CountingBlock } from '../testing/ssh/durable-rig';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** A test sshd behind a fault proxy ("viaproxy"), and a core on it that retries quickly. */
async function behindProxy(keepaliveS?: number) {
  const sshd = cleanups.add(await startTestSshd());
  const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
  writeProxySetup(sshd, proxy.port);
  if (keepaliveS !== undefined) {
    const config = readFileSync(sshd.clientConfigPath, 'utf8');
    writeFileSync(
      sshd.clientConfigPath,
      config.replace(
        'Host viaproxy',
        `Host viaproxy\n  ServerAliveInterval ${keepaliveS}\n  ServerAliveCountMax 3`,
      ),
    );
  }
  const harness = await coreOn(sshd, cleanups, { backoffMs: [200, 300, 500] });
  return { sshd, proxy, harness, client: harness.client() };
}

/** A session on viaproxy printing `tick-N` every 20 ms. */
const counting = startCounter;

/** Cut every connection and refuse new ones for `ms`, then let them through again. */
async function outage(proxy: FaultProxy, ms: number): Promise<void> {
  proxy.refuse(true);
  proxy.cut();
  await new Promise((resolve) => setTimeout(resolve, ms));
  proxy.refuse(false);
}

/** Stop the counter and return every tick line the block's stream shows, in order. */
async function stopAndCount(client: TestClient, counter: CountingBlock): Promise<number[]> {
  const { zone } = counter;
  const seen = counterLines(client.text(zone)).at(-1) ?? 0;
  // Let it print on after the resume, so lines from before and after are both checked.
  await client.until(
    () => (counterLines(client.text(zone)).at(-1) ?? 0) > seen + 20,
    'more ticks after the resume',
    WAIT_MS,
  );
  // bash sometimes misses one Ctrl-C inside its loop: stopCounter presses it until it stops.
  await stopCounter(client, counter);
  return counterLines(client.text(zone), 100, 30);
}

function expectConsecutive(ticks: readonly number[]): void {
  expect(ticks.length).toBeGreaterThan(20);
  const first = ticks[0]!;
  expect(ticks).toEqual(ticks.map((_, index) => first + index));
}

describe('durable SSH sessions (tmux on the host)', () => {
  it('a cut link: disconnected, then running by itself, every line printed meanwhile there exactly once', async () => {
    const { proxy, client } = await behindProxy();
    const counter = await counting(client);
    const { block, zone, sessionId } = counter;
    const outageDone = outage(proxy, 3_000);
    const away = await untilStatus(client, sessionId, 'disconnected');
    expect(away.doneReason).toBeNull();
    // Typing into a disconnected session is refused, in words, not dropped silently.
    const refused = await client.call('writeZone', { zone, blockId: block.id, data: 'x' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'disconnected', message: expect.stringMatching(/viaproxy cannot be reached/) },
    });
    await outageDone;
    await untilStatus(client, sessionId, 'running');
    expectConsecutive(await stopAndCount(client, counter));
    expect(sessionOf(client, sessionId)?.status).toBe('running');
  }, 60_000);

  it('a stall the keepalives turn into a drop: the same, with nothing lost', async () => {
    const { proxy, client } = await behindProxy(1);
    const counter = await counting(client);
    const { sessionId } = counter;
    proxy.stall();
    await untilStatus(client, sessionId, 'disconnected');
    proxy.release();
    await untilStatus(client, sessionId, 'running');
    expectConsecutive(await stopAndCount(client, counter));
  }, 60_000);

  it('20 cut/restore cycles in a row: 20 resumed, no line lost, no session ended', async () => {
    const { proxy, client } = await behindProxy();
    const counter = await counting(client);
    const { sessionId } = counter;
    let resumed = 0;
    for (let cycle = 0; cycle < 20; cycle += 1) {
      const outageDone = outage(proxy, 300);
      await untilStatus(client, sessionId, 'disconnected', { after: client.events.length });
      await outageDone;
      const mark = client.events.length;
      await untilStatus(client, sessionId, 'running', { after: mark - 1 });
      resumed += 1;
    }
    expect(resumed).toBe(20);
    expectConsecutive(await stopAndCount(client, counter));
    expect(sessionOf(client, sessionId)?.status).toBe('running');
  }, 240_000);

  it('a tmux session killed on the host while the link is down is done with the reason once it is back', async () => {
    const { sshd, proxy, client } = await behindProxy();
    const first = await openBlock(client, 'viaproxy');
    const second = await openBlock(client, 'viaproxy');
    await running(client, first.sessionId);
    await running(client, second.sessionId);
    proxy.refuse(true);
    proxy.cut();
    await untilStatus(client, first.sessionId, 'disconnected');
    await killHostSession(sshd, first.sessionId);
    proxy.refuse(false);
    const done = await untilStatus(client, first.sessionId, 'done');
    expect(done.doneReason).toMatch(/no longer exists on viaproxy/);
    // The other one comes back.
    await untilStatus(client, second.sessionId, 'running');
    await atPrompt(client, second.zone, second.block.id);
  }, 60_000);

  it('the host tmux server killed: every session there is done, none comes back', async () => {
    const { sshd, proxy, client } = await behindProxy();
    const blocks = [await openBlock(client, 'viaproxy'), await openBlock(client, 'viaproxy')];
    for (const each of blocks) await running(client, each.sessionId);
    proxy.refuse(true);
    proxy.cut();
    for (const each of blocks) await untilStatus(client, each.sessionId, 'disconnected');
    const killed = await sshd.hostTmux(['kill-server']);
    expect(killed.code).toBe(0);
    proxy.refuse(false);
    for (const each of blocks) {
      const done = await untilStatus(client, each.sessionId, 'done');
      expect(done.doneReason).toMatch(/tmux server on viaproxy is gone/);
    }
    // No resurrection: the host has no Tether session.
    const listed = await sshd.hostTmux(['list-sessions']);
    expect(listed.stdout).toBe('');
  }, 60_000);
});

/** Kill the host's tmux session of a Tether session (by its @tether_id). */
async function killHostSession(sshd: TestSshd, sessionId: string): Promise<void> {
  const listed = await sshd.hostTmux(['list-sessions', '-F', '#{@tether_id} #{session_id}']);
  const line = listed.stdout.split('\n').find((each) => each.startsWith(`${sessionId} `));
  if (!line) throw new Error(`no host tmux session for ${sessionId}:\n${listed.stdout}`);
  const killed = await sshd.hostTmux(['kill-session', '-t', line.split(' ')[1]!]);
  expect(killed.code).toBe(0);
}
