/**
 * Resume time of a durable SSH session, measured at a core's client (no
 * browser): a session on the test sshd behind a fault proxy prints a counter
 * line every 20 ms; each cut resets the link and refuses it for an outage,
 * then lets it through again. From that moment the clock reads when the
 * core says the link is `connected`, when the pane's repaint (ESC c) is in
 * the block's stream and when the session is `running`. The core keeps its
 * default reconnect backoff (1 s, then 2 s, ...), so the wait for the next
 * retry is part of the time, as a person would see it; connected → running
 * is the resume itself.
 */
import { Cleanups } from '../main/testing/ssh/cleanups';
import type { ConnectionStatus } from '../preload/contract';
import {
  acknowledge,
  cutLink,
  restoreLink,
  startCounter,
  startDurableRig,
  statusAfter,
  VIA_PROXY,
} from '../main/testing/ssh/durable-rig';

export type ResumeTiming = {
  outageMs: number;
  /** From letting traffic through until the link is connected (the backoff's wait included). */
  connectedMs: number;
  /** ... until the repaint is in the block's stream. */
  repaintedMs: number;
  /** ... until the session is running again. */
  runningMs: number;
  /** ... until both: the session runs and its screen is repainted (which comes last varies). */
  resumedMs: number;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `cuts` outages spread over 300–1500 ms (in a mixed order), each timed as above. */
export async function measureResume(cuts: number): Promise<ResumeTiming[]> {
  const cleanups = new Cleanups();
  try {
    const { proxy, client } = await startDurableRig(cleanups);
    const counter = await startCounter(client);
    const { zone, sessionId } = counter;
    const timings: ResumeTiming[] = [];
    for (let cut = 0; cut < cuts; cut += 1) {
      // Every step of the spread once, not in rising order (for a count that 7 does not divide).
      const step = (cut * 7) % cuts;
      const outageMs = Math.round(300 + (1200 * step) / Math.max(1, cuts - 1));
      const beforeCut = client.events.length;
      await cutLink(proxy);
      await statusAfter(client, sessionId, 'disconnected', beforeCut);
      await pause(outageMs);

      const offset = client.text(zone).length;
      const after = client.events.length;
      const since = performance.now();
      const elapsed = () => performance.now() - since;
      await restoreLink(proxy);
      const [connectedMs, repaintedMs, runningMs] = await Promise.all([
        client
          .until(
            () =>
              client.events.slice(after).some((event) => {
                if (event.name !== 'connectionChanged') return false;
                const status = event.payload as ConnectionStatus;
                return status.connection === VIA_PROXY && status.state === 'connected';
              }),
            'the link connected',
            30_000,
          )
          .then(elapsed),
        client
          .until(() => client.text(zone).includes('\x1bc', offset), 'the repaint', 30_000)
          .then(elapsed),
        statusAfter(client, sessionId, 'running', after, 30_000).then(elapsed),
      ]);
      const resumedMs = Math.max(repaintedMs, runningMs);
      timings.push({ outageMs, connectedMs, repaintedMs, runningMs, resumedMs });
      // Let it run a while before the next cut, as a link that stays up would.
      await pause(1_000);
      await acknowledge(client, counter);
    }
    return timings;
  } finally {
    await cleanups.run();
  }
}
