/**
 * A rig for exercising durable SSH sessions (the drill, the resume benchmark):
 * a test sshd whose host side has tmux, behind a fault proxy ("viaproxy"), a
 * core on it, sessions printing a counter line every 20 ms, and outages of
 * the link. Everything it starts is added to the caller's Cleanups.
 * It runs outside vitest too (tsx).
 */
import type { SessionInfo, SessionStatus } from '../../../preload/contract';
import type { CoreOptions } from '../../core';
import type { TestClient } from '../core-harness';
import type { Cleanups } from './cleanups';
import { atPrompt, coreOn, openBlock, running, type, WAIT_MS } from './core-ssh';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { writeProxySetup } from './host-setups';
import { counterLines, untilStatus } from './durable-checks';
import { startTestSshd, type TestSshd } from './test-sshd';

/** The alias of the sshd behind the proxy. */
export const VIA_PROXY = 'viaproxy';

/** A test sshd behind a fault proxy, and a core on it (`ssh` options: a backoff, say). */
export async function startDurableRig(cleanups: Cleanups, ssh: CoreOptions['ssh'] = {}) {
  const sshd = cleanups.add(await startTestSshd());
  const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
  writeProxySetup(sshd, proxy.port, VIA_PROXY);
  // Stopped after the core, before the sshd: a control client left by a dropped link may
  // never exit (see hostTmuxClients), and its tmux server then outlives `kill-server`.
  cleanups.add({ stop: () => endHostTmuxClients(sshd) });
  const harness = await coreOn(sshd, cleanups, ssh);
  return { sshd, proxy, harness, client: harness.client() };
}

/**
 * The pids of the tmux clients on the host's Tether server (none when it is not running).
 * With tmux 3.3a a control client whose sshd went away while tmux still had output for it
 * stays, attached, for good: `detach-client` and `kill-server` wait for that output to be
 * written; only a signal to the client ends it. One client per live session is expected.
 */
export async function hostTmuxClients(sshd: TestSshd): Promise<number[]> {
  const listed = await sshd.hostTmux(['list-clients', '-F', '#{client_pid}']);
  return listed.code === 0 ? listed.stdout.split('\n').filter(Boolean).map(Number) : [];
}

async function endHostTmuxClients(sshd: TestSshd): Promise<void> {
  for (const pid of await hostTmuxClients(sshd)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // It ended meanwhile.
    }
  }
}

/** A block with its session, and how many of the bytes it received it has acknowledged. */
export type CountingBlock = Awaited<ReturnType<typeof openBlock>> & { acked: number };

/** A new session on viaproxy printing `tick-N` every 20 ms, once its first 20 lines arrived. */
export async function startCounter(client: TestClient): Promise<CountingBlock> {
  const opened = await openBlock(client, VIA_PROXY);
  const session = await running(client, opened.sessionId);
  if (session.backend !== 'tmux') throw new Error(`session on ${session.backend}, not tmux`);
  await atPrompt(client, opened.zone, opened.block.id);
  await type(
    client,
    opened.zone,
    opened.block.id,
    'i=0; while :; do i=$((i+1)); echo "tick-$i"; sleep 0.02; done\r',
  );
  await client.untilText(opened.zone, /tick-20\r?\n/, WAIT_MS);
  return { ...opened, acked: 0 };
}

/**
 * Acknowledge what a block has received, as a page does once it has painted it: a zone
 * pauses its shell while a window is more than 1 MiB behind (zone.ts), so a client that
 * never acknowledges sees a long-running counter stop.
 */
export async function acknowledge(client: TestClient, counter: CountingBlock): Promise<void> {
  const bytes = client.bytes(counter.zone) - counter.acked;
  if (bytes <= 0) return;
  await client.request('ackZone', { zone: counter.zone, blockId: counter.block.id, bytes });
  counter.acked += bytes;
}

/**
 * Interrupt a block's counter and wait until its shell answers a command. bash lets a
 * Ctrl-C pass now and then (measured: 3 in 60 with plain tmux, no Tether): when it lands
 * as `sleep` is exiting, the loop goes on. So it is pressed again, as a person would.
 */
export async function stopCounter(client: TestClient, opened: CountingBlock): Promise<void> {
  const { zone, block } = opened;
  for (let attempt = 1; ; attempt += 1) {
    await type(client, zone, block.id, '\x03');
    const marker = `stopped-${attempt}-${Math.floor(Math.random() * 1e6)}`;
    await type(client, zone, block.id, `echo ${marker.replace('-', '-""')}\r`);
    try {
      await client.untilText(zone, new RegExp(marker), 5_000);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/** The link goes down: every connection reset, new ones refused until `restore`. */
export async function cutLink(proxy: FaultProxy): Promise<void> {
  await proxy.refuse(true);
  proxy.cut();
}

/** The link may come back: the proxy listens and forwards again. */
export function restoreLink(proxy: FaultProxy): Promise<void> {
  return proxy.refuse(false);
}

/**
 * The session once an event after index `after` says `status`; fails at once, with the
 * reason, if it ends while another status is awaited.
 */
export function statusAfter(
  client: TestClient,
  sessionId: string,
  status: SessionStatus,
  after: number,
  timeoutMs = WAIT_MS,
): Promise<SessionInfo> {
  return untilStatus(client, sessionId, status, { after, timeoutMs });
}

/** The `tick-N` numbers a terminal of cols × rows shows, scrollback and screen, after `text`. */
export function renderedTicks(text: string, cols: number, rows: number): Promise<number[]> {
  return counterLines(text, cols, rows);
}
