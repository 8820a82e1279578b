// A local session on tmux outlives its core: dispose the core (the app quits) or SIGKILL the
// process hosting it (a crash), start a new core on the same data dir, and the same shell runs
// on with its screen. Real tmux (a private server: TMUX_TMPDIR per test file), real bash, real
// SQLite.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/core-harness';
import { paneOf, render, tmux, tmuxScreen, trimRows } from '../../testing/tmux-probe';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

const onTmux = { localBackend: 'tmux' as const, env: { PS1: '$ ' } };

describe('a local tmux session', () => {
  it('survives the core being disposed: same shell, its variables, its screen', async () => {
    harness = await startHarness(onTmux);
    const first = await harness.attachFirst(80, 24);
    const sessionId = first.reply.session.id;
    expect(first.reply.session).toMatchObject({
      backend: 'tmux',
      status: 'running',
      notDurable: null,
    });
    const { zone } = first.reply;
    await first.client.request('writeZone', {
      zone,
      blockId: first.blockId,
      data: 'export X=42; echo ready-$X\r',
    });
    await first.client.untilText(zone, /ready-42/);
    const before = await paneOf(sessionId);

    await harness.restart(onTmux);
    const second = await harness.attachFirst(80, 24);
    expect(second.reply.session).toMatchObject({
      id: sessionId,
      status: 'running',
      doneReason: null,
    });
    const after = await paneOf(sessionId);
    expect(after.pid).toBe(before.pid);
    // The block shows what tmux shows.
    const shown = await render(second.reply.snapshot, 80, 24);
    expect(trimRows(shown.rows)).toEqual(trimRows(await tmuxScreen(after.pane)));
    expect(shown.rows.join('\n')).toContain('ready-42');

    await second.client.request('writeZone', {
      zone,
      blockId: second.blockId,
      data: 'echo got-$X\r',
    });
    await second.client.untilText(zone, /got-42/);
  });

  it("comes back at its own size, not tmux's default, with the last lines of its screen", async () => {
    harness = await startHarness(onTmux);
    const first = await harness.attachFirst(67, 19);
    const { zone } = first.reply;
    await first.client.request('writeZone', {
      zone,
      blockId: first.blockId,
      data: 'seq 1 2000; echo last-line\r',
    });
    await first.client.untilText(zone, /last-line\r?\n/);
    const { pane } = await paneOf(zone);
    await harness.restart(onTmux);
    // No page yet: the pane keeps the size it had.
    expect(
      (await tmux(['display-message', '-p', '-t', pane, '#{pane_width}x#{pane_height}'])).trim(),
    ).toBe('67x19');
    const second = await harness.attachFirst(67, 19);
    const shown = await render(second.reply.snapshot, 67, 19);
    expect(trimRows(shown.rows)).toEqual(trimRows(await tmuxScreen(pane)));
    expect(shown.rows.join('\n')).toMatch(/^1999\n2000\nlast-line$/m);
  });

  it('survives the process hosting the core being killed (SIGKILL)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-core-'));
    // Node itself, not the tsx launcher: a SIGKILL to the launcher would leave the core
    // running in its child (the data directory's lock then refuses the second core).
    const host = spawn(
      process.execPath,
      ['--import', 'tsx', join('main', 'testing', 'core-process.ts'), dataDir],
      { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    host.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const sessionId = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no ready line: ${stderr}`)), 15_000);
      host.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /ready (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const before = await paneOf(sessionId);
    const exited = new Promise((resolve) => host.once('exit', resolve));
    host.kill('SIGKILL');
    await exited;

    harness = await startHarness({ ...onTmux, dataDir });
    const attached = await harness.attachFirst(80, 24);
    expect(attached.reply.session).toMatchObject({ id: sessionId, status: 'running' });
    expect((await paneOf(sessionId)).pid).toBe(before.pid);
    expect((await render(attached.reply.snapshot, 80, 24)).rows.join('\n')).toContain('ready-42');
    await attached.client.request('writeZone', {
      zone: sessionId,
      blockId: attached.blockId,
      data: 'echo got-$X\r',
    });
    await attached.client.untilText(sessionId, /got-42/);
  });

  it('comes back inside a full-screen program: alternate screen, cursor, mouse mode, keys', async () => {
    harness = await startHarness(onTmux);
    const first = await harness.attachFirst(80, 24);
    const { zone } = first.reply;
    const type = (client: typeof first.client, blockId: string, data: string) =>
      client.request('writeZone', { zone, blockId, data });
    await type(first.client, first.blockId, 'seq 1 300 > numbers; echo before-less\r');
    await first.client.untilText(zone, /before-less\r?\n/);
    await type(first.client, first.blockId, 'less --mouse numbers\r');
    await first.client.untilText(zone, /\[\?1049h[\s\S]*numbers/);
    const pane = (await paneOf(zone)).pane;
    const state = async () =>
      (
        await tmux([
          'display-message',
          '-p',
          '-t',
          pane,
          '#{alternate_on} #{cursor_x} #{cursor_y} #{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag} #{mouse_sgr_flag}',
        ])
      ).trim();
    const tmuxState = await state();
    expect(tmuxState.startsWith('1 ')).toBe(true);

    await harness.restart(onTmux);
    const second = await harness.attachFirst(80, 24);
    const shown = await render(second.reply.snapshot, 80, 24);
    expect(trimRows(shown.rows)).toEqual(trimRows(await tmuxScreen(pane)));
    expect(shown.terminal.buffer.active.type).toBe('alternate');
    const [, cursorX, cursorY] = tmuxState.split(' ');
    expect(shown.cursor).toEqual({ x: Number(cursorX), y: Number(cursorY) });
    expect(shown.terminal.modes.mouseTrackingMode).not.toBe('none');

    // less still takes keys: G goes to the end, q quits back to the shell's screen.
    await type(second.client, second.blockId, 'G');
    await second.client.untilText(zone, /300/);
    await type(second.client, second.blockId, 'q');
    await second.client.untilText(zone, /\[\?1049l/);
    await type(second.client, second.blockId, 'echo after-less\r');
    await second.client.untilText(zone, /after-less\r?\n/);
    expect((await tmuxScreen(pane)).join('\n')).toContain('before-less');
  });

  it('takes a 1 MB paste intact', { timeout: 60_000 }, async () => {
    harness = await startHarness(onTmux);
    const { client, reply, blockId } = await harness.attachFirst(120, 40);
    const { zone } = reply;
    const target = join(harness.dataDir, 'pasted.txt');
    await client.request('writeZone', { zone, blockId, data: `stty -echo; cat > ${target}\r` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Lines under the tty's 4 KiB line limit; characters that tmux's parser would expand.
    const lines: string[] = [];
    for (let index = 0, size = 0; size < 1_000_000; index++) {
      lines.push(`${index} $HOME #{pane_id} ; 'q' "d" \\ é日本 ${'x'.repeat(60)}`);
      size += lines[index]!.length + 1;
    }
    const text = `${lines.join('\n')}\n`;
    // The contract takes input in pieces (as a page sends a long paste).
    for (let at = 0; at < text.length; at += 60_000) {
      await client.request('writeZone', { zone, blockId, data: text.slice(at, at + 60_000) });
    }
    await client.request('writeZone', { zone, blockId, data: '\x04' });
    const expected = createHash('sha256').update(text).digest('hex');
    const deadline = Date.now() + 20_000;
    let actual = '';
    while (Date.now() < deadline) {
      try {
        actual = createHash('sha256').update(readFileSync(target)).digest('hex');
      } catch {
        // Not written yet.
      }
      if (actual === expected) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(readFileSync(target).length).toBe(Buffer.byteLength(text));
    expect(actual).toBe(expected);
  });
});

describe('a stuck tmux control client', () => {
  /** Pids of the control clients attached to a tmux session. */
  async function controlClients(session: string): Promise<number[]> {
    const out = await tmux([
      'list-clients',
      '-F',
      '#{client_control_mode} #{client_pid} #{session_id}',
    ]);
    return out
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([control, , id]) => control === '1' && id === session)
      .map(([, pid]) => Number(pid));
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('that tells nothing for several seconds is replaced, and the shell goes on', async () => {
    harness = await startHarness(onTmux);
    const { client, blockId, reply } = await harness.attachFirst(80, 24);
    const { zone } = reply;
    const type = (data: string) => client.request('writeZone', { zone, blockId, data });
    await type('echo before-$((40+2))\r');
    await client.untilText(zone, /before-42/);
    const { session } = await paneOf(zone);
    const [first] = await controlClients(session);
    expect(first).toBeGreaterThan(0);
    // tmux writes to a control client's pipes itself, so a stopped server is a client that
    // answers nothing and sends nothing.
    const server = Number((await tmux(['display-message', '-p', '#{pid}'])).trim());
    process.kill(server, 'SIGSTOP');
    const stopped = Date.now();
    try {
      // STALL_POLLS unanswered polls of a second each, then the client is killed.
      const deadline = Date.now() + 15_000;
      while (alive(first!) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(alive(first!), 'the silent client was ended within 15 s').toBe(false);
      // Until a new client is attached, typing is refused in words, never lost in silence.
      await expect(type('lost\r')).rejects.toThrow(/not taking input/);
      // Longer than the stall (~6 s) plus asking tmux (up to 10 s): a server that is slow to
      // come back must not end a shell that still runs in it.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, stopped + 18_000 - Date.now())),
      );
    } finally {
      process.kill(server, 'SIGCONT');
    }
    // Attached again once tmux runs: typing then reaches the same shell.
    let now: number[] = [];
    const attached = Date.now() + 15_000;
    while (!now.some((pid) => pid !== first) && Date.now() < attached) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      now = await controlClients(session);
    }
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first);
    expect(client.events.some((event) => JSON.stringify(event.payload).includes('"done"'))).toBe(
      false,
    );
    await type('echo after-$((40+3))\r');
    await client.untilText(zone, /after-43/);
  }, 60_000);
});
