/**
 * The core against real parts: bash through node-pty, a real SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateEvent } from '../preload/contract';
import { focusedBlock, startHarness, type Harness } from './testing/core-harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function start(...args: Parameters<typeof startHarness>) {
  harness = await startHarness(...args);
  return harness;
}

const stateEvents = (events: Array<{ name: string; payload: unknown }>) =>
  events.filter((e) => e.name === 'zoneState').map((e) => e.payload as StateEvent);

describe('core with a real shell', () => {
  it('runs commands: echo $((6*7)) prints 42', async () => {
    const h = await start();
    const { client, reply } = await h.attachFirst();
    expect(reply.state.status).toBe('running');
    await client.request('writeZone', { zone: reply.zone, data: 'echo $((6*7))\r' });
    // readline turns bracketed paste off (ESC[?2004l) right before the output.
    await client.untilText(reply.zone, /[\r\n]42\r\n/);
  });

  it('resizes the pty: tput cols follows', async () => {
    const h = await start();
    const { client, reply } = await h.attachFirst(80, 24);
    await client.request('resizeZone', { zone: reply.zone, cols: 123, rows: 31 });
    await client.request('writeZone', {
      zone: reply.zone,
      data: 'echo "size $(tput cols)x$(tput lines)"\r',
    });
    await client.untilText(reply.zone, /size 123x31/);
  });

  it('reports a dead shell with its exit code, refuses input, and restarts on request', async () => {
    const h = await start();
    const { client, reply, blockId } = await h.attachFirst();
    await client.request('writeZone', { zone: reply.zone, data: 'exit 3\r' });
    const exited = await client.until(
      () => stateEvents(client.events).find((e) => e.state.status === 'exited'),
      'exit state',
    );
    expect(exited.state).toMatchObject({ status: 'exited', exitCode: 3, signal: null });
    const write = await client.call('writeZone', { zone: reply.zone, data: 'echo hi\r' });
    expect(write).toMatchObject({ ok: false, error: { code: 'not_running' } });

    const again = await client.request('restartBlock', { blockId, cols: 80, rows: 24 });
    expect(again.state.status).toBe('running');
    expect(again.zone).toBe(reply.zone);
    await client.request('writeZone', { zone: again.zone, data: 'echo back-$((40+2))\r' });
    await client.untilText(again.zone, /back-42/);
  });

  it('reports a signal death as a signal, not an exit code', async () => {
    const h = await start();
    const { client, reply } = await h.attachFirst();
    await client.request('writeZone', { zone: reply.zone, data: 'kill -KILL $$\r' });
    const exited = await client.until(
      () => stateEvents(client.events).find((e) => e.state.status === 'exited'),
      'exit state',
    );
    expect(exited.state).toMatchObject({ status: 'exited', exitCode: null, signal: 9 });
  });

  it('refuses to restart a running shell', async () => {
    const h = await start();
    const { client, blockId } = await h.attachFirst();
    const result = await client.call('restartBlock', { blockId, cols: 80, rows: 24 });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_running' } });
  });

  it('gives a second client the same shell with its recent output', async () => {
    const h = await start();
    const first = await h.attachFirst();
    await first.client.request('writeZone', {
      zone: first.reply.zone,
      data: 'echo first-$((1+1))\r',
    });
    await first.client.untilText(first.reply.zone, /first-2/);
    const second = await h.attachFirst();
    expect(second.reply.zone).toBe(first.reply.zone);
    expect(second.reply.state).toEqual(first.reply.state);
    expect(Buffer.from(second.reply.snapshot).toString()).toMatch(/first-2/);
    await second.client.request('writeZone', {
      zone: second.reply.zone,
      data: 'echo second-$((2+1))\r',
    });
    await first.client.untilText(first.reply.zone, /second-3/);
  });

  it('stops delivering to a client that went away', async () => {
    const h = await start();
    const gone = await h.attachFirst();
    const stays = await h.attachFirst();
    gone.client.dispose();
    const before = gone.client.bytes(gone.reply.zone);
    await stays.client.request('writeZone', {
      zone: stays.reply.zone,
      data: 'echo still-$((3*3))\r',
    });
    await stays.client.untilText(stays.reply.zone, /still-9/);
    expect(gone.client.bytes(gone.reply.zone)).toBe(before);
    const write = await gone.client.call('writeZone', { zone: gone.reply.zone, data: 'x' });
    expect(write).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('bounds what a client that never acknowledges can be sent, then resumes on ack', async () => {
    const highWater = 64 * 1024;
    const batchBytes = 16 * 1024;
    const h = await start({ zone: { highWater, lowWater: 16 * 1024, batchBytes } });
    const { client, reply } = await h.attachFirst();
    await client.request('writeZone', { zone: reply.zone, data: 'yes tether-flood\r' });
    await client.until(() => client.bytes(reply.zone) > highWater, 'the flood to start');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalled = client.bytes(reply.zone);
    // Paused: at most one batch past the high-water mark (plus a pty read in flight).
    expect(stalled).toBeLessThan(highWater + 2 * batchBytes + 64 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.bytes(reply.zone)).toBe(stalled);

    await client.request('ackZone', { zone: reply.zone, bytes: stalled });
    await client.until(() => client.bytes(reply.zone) > stalled, 'output to resume');
    await client.request('writeZone', { zone: reply.zone, data: '\x03' });
    // Keep acknowledging so the shell can get back to its prompt.
    const acker = setInterval(() => {
      void client.call('ackZone', { zone: reply.zone, bytes: 1 << 30 });
    }, 20);
    try {
      await client.request('writeZone', { zone: reply.zone, data: 'echo done-$((5+5))\r' });
      await client.untilText(reply.zone, /done-10/);
    } finally {
      clearInterval(acker);
    }
  });
});

describe('core start-up and failures', () => {
  it('keeps the block across a restart of the core and gives it a new shell', async () => {
    const h = await start();
    const first = await h.attachFirst();
    const pid = first.reply.state.status === 'running' ? first.reply.state.pid : -1;
    await h.restart();
    const second = await h.attachFirst();
    expect(second.blockId).toBe(first.blockId);
    expect(second.reply.state.status).toBe('running');
    expect(second.reply.state.status === 'running' && second.reply.state.pid).not.toBe(pid);
  });

  it('reports a missing shell clearly and keeps serving', async () => {
    const h = await start({ shell: '/nonexistent/tether-shell' });
    const client = h.client();
    const blockId = await focusedBlock(client);
    const result = await client.call('attachBlock', { blockId, cols: 80, rows: 24 });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'shell_not_found',
        message: 'Shell not found or not executable: /nonexistent/tether-shell',
      },
    });
    expect((await client.call('appInfo', {})).ok).toBe(true);
    // Retrying fails the same way rather than leaving a half-made terminal behind.
    expect(await client.call('attachBlock', { blockId, cols: 80, rows: 24 })).toEqual(result);
  });

  it('rejects an unknown block', async () => {
    const h = await start();
    const result = await h.client().call('attachBlock', {
      blockId: '00000000-0000-4000-8000-000000000000',
      cols: 80,
      rows: 24,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
