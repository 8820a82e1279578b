/**
 * The core against real parts: bash through node-pty, a real SQLite file,
 * the real mirror worker. Blocks show sessions; sessions own the shells.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent, SessionInfo } from '../preload/contract';
import { PTY_ENDED_WITH_APP as RESTART_REASON } from './backends/pty-backend';
import { focusedBlock, startHarness, type Harness, type TestClient } from './testing/core-harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

async function start(...args: Parameters<typeof startHarness>) {
  harness = await startHarness(...args);
  return harness;
}

/** The latest session info a client was told about. */
function lastSession(client: TestClient, sessionId: string): SessionInfo | undefined {
  const changes = client.events
    .filter((event) => event.name === 'sessionChanged')
    .map((event) => (event.payload as SessionEvent).session)
    .filter((session) => session.id === sessionId);
  return changes.at(-1);
}

const type = (client: TestClient, zone: string, blockId: string, data: string) =>
  client.request('writeZone', { zone, blockId, data });

describe('core with a real shell', () => {
  it('runs commands: echo $((6*7)) prints 42', async () => {
    const h = await start();
    const { client, reply, blockId } = await h.attachFirst();
    expect(reply.session.status).toBe('running');
    await type(client, reply.zone, blockId, 'echo $((6*7))\r');
    await client.untilText(reply.zone, /[\r\n]42\r\n/);
  });

  it('resizes the pty: tput cols follows the block', async () => {
    const h = await start();
    const { client, reply, blockId } = await h.attachFirst(80, 24);
    await client.request('resizeZone', { zone: reply.zone, blockId, cols: 123, rows: 31 });
    await type(client, reply.zone, blockId, 'echo "size $(tput cols)x$(tput lines)"\r');
    await client.untilText(reply.zone, /size 123x31/);
  });

  it('marks the session done with its exit code, refuses input, and restarts only on request', async () => {
    const h = await start();
    const { client, reply, blockId } = await h.attachFirst();
    await type(client, reply.zone, blockId, 'exit 3\r');
    const done = await client.until(() => {
      const session = lastSession(client, reply.zone);
      return session?.status === 'done' ? session : undefined;
    }, 'the session to be done');
    expect(done).toMatchObject({ exitCode: 3, exitSignal: null });
    expect(done.doneReason).toMatch(/exited with code 3/);
    const write = await client.call('writeZone', { zone: reply.zone, blockId, data: 'echo hi\r' });
    expect(write).toMatchObject({ ok: false, error: { code: 'not_running' } });

    const again = await client.request('restartSession', {
      sessionId: reply.zone,
      blockId,
      cols: 80,
      rows: 24,
    });
    expect(again.session).toMatchObject({ id: reply.zone, status: 'running', exitCode: null });
    await type(client, again.zone, blockId, 'echo back-$((40+2))\r');
    await client.untilText(again.zone, /back-42/);
  });

  it('reports a signal death as a signal, not an exit code', async () => {
    const h = await start();
    const { client, reply, blockId } = await h.attachFirst();
    await type(client, reply.zone, blockId, 'kill -KILL $$\r');
    const done = await client.until(() => {
      const session = lastSession(client, reply.zone);
      return session?.status === 'done' ? session : undefined;
    }, 'the session to be done');
    expect(done).toMatchObject({ exitCode: null, exitSignal: 9 });
  });

  it('refuses to restart a running session', async () => {
    const h = await start();
    const { client, reply, blockId } = await h.attachFirst();
    const result = await client.call('restartSession', {
      sessionId: reply.zone,
      blockId,
      cols: 80,
      rows: 24,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_running' } });
  });

  it('gives a second window the same session with its screen', async () => {
    const h = await start();
    const first = await h.attachFirst();
    await type(first.client, first.reply.zone, first.blockId, 'echo first-$((1+1))\r');
    await first.client.untilText(first.reply.zone, /first-2/);
    const second = await h.attachFirst();
    expect(second.reply.zone).toBe(first.reply.zone);
    expect(Buffer.from(second.reply.snapshot).toString()).toMatch(/first-2/);
    await type(second.client, second.reply.zone, second.blockId, 'echo second-$((2+1))\r');
    await first.client.untilText(first.reply.zone, /second-3/);
  });

  it('stops delivering to a window that went away', async () => {
    const h = await start();
    const gone = await h.attachFirst();
    const stays = await h.attachFirst();
    gone.client.dispose();
    const before = gone.client.bytes(gone.reply.zone);
    await type(stays.client, stays.reply.zone, stays.blockId, 'echo still-$((3*3))\r');
    await stays.client.untilText(stays.reply.zone, /still-9/);
    expect(gone.client.bytes(gone.reply.zone)).toBe(before);
    const write = await gone.client.call('writeZone', {
      zone: gone.reply.zone,
      blockId: gone.blockId,
      data: 'x',
    });
    expect(write).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers not_found for a zone it does not know, to every request that names one', async () => {
    const h = await start();
    const { client, blockId } = await h.attachFirst();
    const zone = '00000000-0000-4000-8000-000000000000';
    for (const [name, payload] of [
      ['writeZone', { zone, blockId, data: 'x' }],
      ['ackZone', { zone, blockId, bytes: 10 }],
      ['detachZone', { zone, blockId }],
    ] as const) {
      expect([name, await client.call(name, payload)]).toMatchObject([
        name,
        { ok: false, error: { code: 'not_found' } },
      ]);
    }
  });

  it('bounds what a window that never acknowledges can be sent, then resumes on ack', async () => {
    const highWater = 64 * 1024;
    const batchBytes = 16 * 1024;
    const h = await start({ zone: { highWater, lowWater: 16 * 1024, batchBytes } });
    const { client, reply, blockId } = await h.attachFirst();
    const zone = reply.zone;
    await type(client, zone, blockId, 'yes tether-flood\r');
    await client.until(() => client.bytes(zone) > highWater, 'the flood to start');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalled = client.bytes(zone);
    // Paused: at most one batch past the high-water mark (plus a pty read in flight).
    expect(stalled).toBeLessThan(highWater + 2 * batchBytes + 64 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.bytes(zone)).toBe(stalled);

    await client.request('ackZone', { zone, blockId, bytes: stalled });
    await client.until(() => client.bytes(zone) > stalled, 'output to resume');
    await type(client, zone, blockId, '\x03');
    // Keep acknowledging so the shell can get back to its prompt.
    const acker = setInterval(() => {
      void client.call('ackZone', { zone, blockId, bytes: 1 << 30 });
    }, 20);
    try {
      await type(client, zone, blockId, 'echo done-$((5+5))\r');
      await client.untilText(zone, /done-10/);
    } finally {
      clearInterval(acker);
    }
  });
});

describe('core start-up and failures', () => {
  it('after a restart, a pty session is shown done with the reason, never running', async () => {
    const h = await start();
    const first = await h.attachFirst();
    await h.restart();
    const second = await h.attachFirst();
    expect(second.blockId).toBe(first.blockId);
    expect(second.reply.zone).toBe(first.reply.zone);
    expect(second.reply.session).toMatchObject({ status: 'done', doneReason: RESTART_REASON });
    // Restart gives the same session a new shell.
    const again = await second.client.request('restartSession', {
      sessionId: second.reply.zone,
      blockId: second.blockId,
      cols: 80,
      rows: 24,
    });
    expect(again.session.status).toBe('running');
  });

  it('reports a missing shell as a done session with the reason, and keeps serving', async () => {
    const h = await start({ shell: '/nonexistent/tether-shell' });
    const client = h.client();
    const blockId = await focusedBlock(client);
    const reply = await client.request('attachBlock', { blockId, cols: 80, rows: 24 });
    expect(reply.session).toMatchObject({
      status: 'done',
      doneReason: 'Shell not found or not executable: /nonexistent/tether-shell',
    });
    expect((await client.call('appInfo', {})).ok).toBe(true);
    const retry = await client.call('restartSession', {
      sessionId: reply.zone,
      blockId,
      cols: 80,
      rows: 24,
    });
    expect(retry).toMatchObject({ ok: true, value: { session: { status: 'done' } } });
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
