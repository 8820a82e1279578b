/**
 * `npm run drill`: durable SSH sessions through many link drops in a row. A
 * test sshd (tmux on the host) behind a fault proxy, a core that retries
 * quickly, and K sessions printing a counter line every 20 ms; then N times:
 * cut the link and refuse it for 300–1500 ms, let it through again, and wait
 * until every session is `running`. After each resume every block's terminal
 * (its stream from the latest repaint, drawn by a headless xterm) must show
 * the counter without a gap or a repeat. At the end each counter is stopped
 * with Ctrl-C and its shell must answer a command. One summary line; the
 * exit code is non-zero on a lost or duplicated line, an ended session, a
 * session that did not come back or one that no longer takes input.
 *
 *   npm run drill -- --cycles 20 [--sessions 3] [--seed 7]
 *   DRILL_CYCLES=5 npm run drill
 */
import { parseArgs } from 'node:util';
import type { TestClient } from '../main/testing/core-harness';
import { Cleanups } from '../main/testing/ssh/cleanups';
import type { TestSshd } from '../main/testing/ssh/test-sshd';
import { sessionOf, WAIT_MS } from '../main/testing/ssh/core-ssh';
import {
  acknowledge,
  cutLink,
  hostTmuxClients,
  renderedTicks,
  restoreLink,
  startCounter,
  startDurableRig,
  statusAfter,
  stopCounter,
  type CountingBlock,
} from '../main/testing/ssh/durable-rig';
import { random } from './seeded-random.mjs';
import { median } from './stats';
import { TickTally } from './tick-tally';

const { values: flags } = parseArgs({
  options: {
    cycles: { type: 'string' },
    sessions: { type: 'string' },
    seed: { type: 'string' },
  },
});
const CYCLES = Number(flags.cycles ?? process.env.DRILL_CYCLES ?? 100);
const SESSIONS = Number(flags.sessions ?? process.env.DRILL_SESSIONS ?? 3);
const SEED = Number(flags.seed ?? process.env.DRILL_SEED ?? 1);
const OUTAGE_MS = { min: 300, max: 1500 };
/** Retries after a drop: short, so the drill spends its time on resumes, not waiting. */
const BACKOFF_MS = [200, 500];
/** The size `openBlock` attaches at. */
const COLS = 100;
const ROWS = 30;
/** A limit for a session that does not come back, not a measure. */
const RESUME_LIMIT_MS = 30_000;
/** Lines each counter prints after a resume before its terminal is read. */
const TICKS_AFTER_RESUME = 10;

type Counter = CountingBlock & { tally: TickTally; ended: boolean; stuck: boolean };

/** The counter lines a block's terminal shows now: its stream from the latest repaint (ESC c). */
function reading(client: TestClient, zone: string): Promise<number[]> {
  const text = client.text(zone);
  const start = Math.max(0, text.lastIndexOf('\x1bc'));
  // A line still being written is not a line yet.
  const end = text.lastIndexOf('\n') + 1;
  return renderedTicks(text.slice(start, Math.max(start, end)), COLS, ROWS);
}

/** The number of the last whole counter line in a stream. */
function lastTick(text: string): number {
  const lines = [...text.slice(-4096).matchAll(/tick-(\d+)\r?\n/g)];
  return Number(lines.at(-1)?.[1] ?? 0);
}

/**
 * Until the block's repaint after `offset` (a length of its text) is in and the counter has
 * printed `count` lines after it, so a reading spans the seam between repaint and live output.
 * Polled: decoding the whole stream on every event would cost more than the drill.
 */
async function settled(client: TestClient, zone: string, offset: number, count: number) {
  const deadline = Date.now() + WAIT_MS;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  while (client.text(zone).indexOf('\x1bc', offset) < 0) {
    if (Date.now() > deadline) throw new Error('no repaint after the resume');
    await pause(50);
  }
  // The repaint may reach the client in several chunks.
  await pause(100);
  const from = lastTick(client.text(zone));
  while (lastTick(client.text(zone)) < from + count) {
    if (Date.now() > deadline) throw new Error(`no ${count} counter lines after the repaint`);
    await pause(50);
  }
}

/** What the host's tmux shows for a block's session, beside what its stream got: for a stall. */
async function hostView(sshd: TestSshd, client: TestClient, counter: Counter): Promise<string> {
  const listed = await sshd.hostTmux(['list-sessions', '-F', '#{@tether_id} #{session_id}']);
  const hostSession = listed.stdout
    .split('\n')
    .find((line) => line.startsWith(`${counter.sessionId} `))
    ?.split(' ')[1];
  if (!hostSession) return 'no tmux session on the host';
  const pane = await sshd.hostTmux(['capture-pane', '-p', '-t', hostSession]);
  const clients = await sshd.hostTmux(['list-clients', '-t', hostSession, '-F', '#{client_flags}']);
  return (
    `stream at tick-${lastTick(client.text(counter.zone))}, host pane at tick-${lastTick(pane.stdout)}; ` +
    `host clients: ${clients.stdout.trim().split('\n').join(' | ')}`
  );
}

async function drill(cleanups: Cleanups): Promise<boolean> {
  const { sshd, proxy, client } = await startDurableRig(cleanups, { backoffMs: BACKOFF_MS });
  const counters: Counter[] = [];
  for (let index = 0; index < SESSIONS; index += 1) {
    const opened = await startCounter(client);
    counters.push({ ...opened, tally: new TickTally(), ended: false, stuck: false });
  }
  const next = random(SEED);
  const resumeMs: number[] = [];
  const live = () => counters.filter((counter) => !counter.ended && !counter.stuck);

  for (let cycle = 1; cycle <= CYCLES && live().length > 0; cycle += 1) {
    const outageMs = Math.round(OUTAGE_MS.min + next() * (OUTAGE_MS.max - OUTAGE_MS.min));
    const beforeCut = client.events.length;
    await cutLink(proxy);
    await Promise.all(
      live().map((counter) =>
        statusAfter(client, counter.sessionId, 'disconnected', beforeCut).catch((error: unknown) =>
          note(counter, `cycle ${cycle}: no disconnect`, error),
        ),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    const beforeRestore = client.events.length;
    const offsets = new Map(live().map((counter) => [counter, client.text(counter.zone).length]));
    const restoredAt = performance.now();
    await restoreLink(proxy);
    await Promise.all(
      live().map(async (counter) => {
        try {
          await statusAfter(client, counter.sessionId, 'running', beforeRestore, RESUME_LIMIT_MS);
        } catch (error) {
          note(counter, `cycle ${cycle}: no resume`, error);
          return;
        }
        resumeMs.push(performance.now() - restoredAt);
        try {
          await settled(client, counter.zone, offsets.get(counter)!, TICKS_AFTER_RESUME);
          counter.tally.add(await reading(client, counter.zone));
          await acknowledge(client, counter);
        } catch (error) {
          note(counter, `cycle ${cycle}: running, but no repaint or counter after it`, error);
          console.log(`    ${await hostView(sshd, client, counter)}`);
        }
      }),
    );
    if (cycle % 10 === 0 || cycle === CYCLES) {
      console.log(
        `  cycle ${cycle}/${CYCLES} (outage ${outageMs} ms): resumed ${resumeMs.length}, median ${median(resumeMs).toFixed(0)} ms`,
      );
    }
  }

  for (const counter of live()) {
    try {
      await stopCounter(client, counter);
      counter.tally.add(await reading(client, counter.zone));
    } catch (error) {
      note(counter, 'no prompt after Ctrl-C', error);
    }
  }
  const lost = counters.reduce((sum, counter) => sum + counter.tally.lost.size, 0);
  const duplicated = counters.reduce((sum, counter) => sum + counter.tally.duplicated.size, 0);
  const outOfOrder = counters.reduce((sum, counter) => sum + counter.tally.outOfOrder, 0);
  const ended = counters.filter((counter) => counter.ended).length;
  const expected = CYCLES * SESSIONS;
  for (const counter of counters) {
    const { lost, duplicated } = counter.tally;
    if (lost.size + duplicated.size === 0) continue;
    console.log(
      `  session ${counter.sessionId}: lost ${sample(lost)}, duplicated ${sample(duplicated)}`,
    );
  }
  if (outOfOrder > 0) console.log(`  ${outOfOrder} counter lines out of order`);
  // Not counted as a failure: tmux's own (see hostTmuxClients); said so a host's leak is seen.
  const attachedCount = counters.filter((counter) => !counter.ended).length;
  const stale = (await hostTmuxClients(sshd)).length - attachedCount;
  if (stale > 0) {
    console.log(`  host: ${stale} tmux control clients of dropped links still attached`);
  }
  console.log(
    `drill: ${CYCLES} cycles, ${SESSIONS} sessions: resumed ${resumeMs.length}, lost lines ${lost}, duplicated lines ${duplicated}, ended ${ended}, median resume ${median(resumeMs).toFixed(0)} ms`,
  );
  const stuck = counters.filter((counter) => counter.stuck).length;
  return lost + duplicated + outOfOrder + ended + stuck === 0 && resumeMs.length === expected;

  /** A session that did not do what the cycle waited for: ended (with its reason) or stuck. */
  function note(counter: Counter, what: string, error: unknown): void {
    const session = sessionOf(client, counter.sessionId);
    if (session?.status === 'done') counter.ended = true;
    else counter.stuck = true;
    const why = session?.doneReason ?? (error instanceof Error ? error.message : String(error));
    console.log(`  ${what} for session ${counter.sessionId} (${session?.status}): ${why}`);
  }
}

/** The first few numbers of a set, for a report line. */
function sample(numbers: Set<number>): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const shown = sorted.slice(0, 8).join(', ');
  return `${numbers.size}${numbers.size > 0 ? ` (${shown}${numbers.size > 8 ? ', …' : ''})` : ''}`;
}

async function main(): Promise<number> {
  console.log(
    `drill: ${CYCLES} cycles of a cut link (outages ${OUTAGE_MS.min}–${OUTAGE_MS.max} ms, seed ${SEED}), ${SESSIONS} sessions`,
  );
  const cleanups = new Cleanups();
  const stop = () => {
    void cleanups.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let ok = false;
  try {
    ok = await drill(cleanups);
  } catch (error) {
    console.error('drill failed:', error);
  } finally {
    await cleanups.run().catch((error: unknown) => {
      console.error('drill: cleaning up failed:', error);
      ok = false;
    });
  }
  return ok ? 0 : 1;
}

process.exitCode = await main();
