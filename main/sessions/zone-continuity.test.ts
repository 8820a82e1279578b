/**
 * Attach while output flows (DESIGN.md §3, "Attach, replay, sharing"): a block
 * gets a snapshot and the offset it reflects, then every later chunk, with no
 * gap and no duplicate. Real bash prints a counter as fast as it can while
 * three blocks, spread over one to three windows, attach at random moments;
 * each block's stream is rebuilt the way the renderer does it (nextOutput) and
 * compared byte for byte with a window that followed from before the output
 * began. The snapshot, painted into a fresh headless xterm, must show the
 * screen the stream had at its offset.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttachReply, OutputEvent } from '../../preload/contract';
import { nextOutput } from '../../renderer/term/output-cursor';
import type { TestClient } from '../testing/core-harness';
import { SessionRig } from '../testing/session-rig';
import { leaf, tab, workspaceOf } from '../testing/workspace-fixtures';
import { Terminal } from './mirror/headless-terminal';

const COUNT = 500_000;
const COLS = 80;
const ROWS = 24;

let rig: SessionRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

/** A zone's output events a client received, from event number `from` on. */
function chunksOf(client: TestClient, zone: string, from = 0): OutputEvent[] {
  return client.events
    .slice(from)
    .filter((event) => event.name === 'zoneOutput')
    .map((event) => event.payload as OutputEvent)
    .filter((event) => event.zone === zone);
}

/** The stream from `offset` on, as the renderer paints it: stale bytes dropped, a gap fails. */
function follow(offset: number, chunks: OutputEvent[]): { bytes: Buffer; end: number } {
  const parts: Uint8Array[] = [];
  let expected = offset;
  for (const chunk of chunks) {
    const step = nextOutput(expected, chunk);
    if (step.kind === 'gap') {
      throw new Error(`gap: expected offset ${step.expected}, got ${step.received}`);
    }
    if (step.kind === 'write') parts.push(step.data);
    expected = step.next;
  }
  return { bytes: Buffer.concat(parts), end: expected };
}

async function paint(...parts: Uint8Array[]): Promise<Terminal> {
  const term = new Terminal({ cols: COLS, rows: ROWS, scrollback: 1_000, allowProposedApi: true });
  for (const part of parts) await new Promise<void>((resolve) => term.write(part, resolve));
  return term;
}

/** The visible rows, right-trimmed, and where the cursor is. */
function screen(term: Terminal): { rows: string[]; cursor: [number, number] } {
  const buffer = term.buffer.active;
  const rows = Array.from(
    { length: ROWS },
    (_, y) => buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '',
  );
  return { rows, cursor: [buffer.cursorX, buffer.cursorY] };
}

/** The last bytes of a zone's stream as a client received it (cheap to check after every event). */
function tail(client: TestClient, zone: string): string {
  const last = chunksOf(client, zone).slice(-3);
  return Buffer.concat(last.map((chunk) => chunk.data))
    .subarray(-64)
    .toString('latin1');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Attached = { blockId: string; client: TestClient; from: number; reply: AttachReply };

describe('attaching while a shell floods its zone', () => {
  it('gives every block its snapshot, then the exact stream: no gap, no duplicate', async () => {
    /** Attaches that landed while the counter was being printed, over all runs. */
    let midStream = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 3, maxLength: 3 }),
        // Window 0 is the reference itself: a second block of a window already following.
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }),
        async (delays, windows) => {
          const r = (rig = await SessionRig.start({
            // Flow control is not under test here: no window acknowledges.
            zone: { highWater: 1 << 30, lowWater: 1 << 29 },
          }));
          try {
            const reference = r.client();
            const loaded = await reference.request('loadWorkspace', {});
            const first = loaded.workspace.tabs[0]!;
            const typist = first.layout.focusedBlockId;
            const start = await reference.request('attachBlock', {
              blockId: typist,
              cols: COLS,
              rows: ROWS,
            });
            const zone = start.zone;
            const blocks: string[] = [];
            for (let n = 0; n < 3; n++) {
              const block = await reference.request('createBlock', {
                connection: 'local',
                sessionId: zone,
              });
              blocks.push(block.id);
            }
            const tabs = [first, ...blocks.map((id, n) => tab(`Shared ${n}`, leaf(id)))];
            await reference.request('saveWorkspace', { workspace: workspaceOf(tabs) });
            const clients = [reference, r.client(), r.client(), r.client()];

            await reference.request('writeZone', {
              zone,
              blockId: typist,
              data: `seq 1 ${COUNT}; echo END-$((1+1))\r`,
            });
            const attached = await Promise.all(
              blocks.map(async (blockId, n): Promise<Attached> => {
                await sleep(delays[n]!);
                const client = clients[windows[n]!]!;
                const from = client.events.length;
                const reply = await client.request('attachBlock', {
                  blockId,
                  cols: COLS,
                  rows: ROWS,
                });
                return { blockId, client, from, reply };
              }),
            );
            await reference.until(
              () => tail(reference, zone).includes('\r\nEND-2\r\n'),
              'the end',
              30_000,
            );

            // The reference: contiguous from its own offset to the end.
            const whole = follow(start.offset, chunksOf(reference, zone));
            const received = Buffer.concat(chunksOf(reference, zone).map((chunk) => chunk.data));
            // Boolean comparisons: a deep toEqual over megabytes takes seconds.
            expect(received.equals(whole.bytes), 'the reference saw each byte once').toBe(true);
            const text = whole.bytes.toString('latin1');
            const seqStart = text.indexOf('1\r\n2\r\n3\r\n');
            const seqEnd = text.indexOf(`\r\n${COUNT}\r\n`) + 2;
            expect(seqStart).toBeGreaterThan(0);
            expect(seqEnd).toBeGreaterThan(seqStart);

            for (const { blockId, client, from, reply } of attached) {
              expect(reply.zone).toBe(zone);
              const at = reply.offset - start.offset;
              expect(at, `block ${blockId} offset`).toBeGreaterThanOrEqual(0);
              // Every output event the window got once the attach was sent, as the renderer holds them.
              const stream = follow(reply.offset, chunksOf(client, zone, from));
              expect(stream.end, `block ${blockId} ends where the zone ends`).toBe(whole.end);
              expect(stream.bytes.equals(whole.bytes.subarray(at)), `block ${blockId} stream`).toBe(
                true,
              );

              // The snapshot paints the screen the stream had at the offset.
              const painted = screen(await paint(reply.snapshot));
              const expected = screen(await paint(start.snapshot, whole.bytes.subarray(0, at)));
              expect(painted, `block ${blockId} snapshot at ${reply.offset}`).toEqual(expected);
              if (at > seqStart && at < seqEnd) {
                midStream++;
                const before = text.slice(0, at);
                const lines = before.slice(0, before.lastIndexOf('\r\n')).split('\r\n');
                const counter = lines.at(-1)!;
                expect(counter).toMatch(/^\d+$/);
                expect(painted.rows, `block ${blockId} shows ${counter}`).toContain(counter);
              }
            }
          } finally {
            await r.dispose();
            rig = undefined;
          }
        },
      ),
      { numRuns: 8, endOnFailure: true },
    );
    // The runs did what they are for: blocks attached while the counter was printing.
    expect(midStream).toBeGreaterThan(0);
  }, 120_000);
});
