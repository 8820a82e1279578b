/**
 * The plain ssh backend against a real test sshd: a login shell on a PTY,
 * its size, env, exit, kill, flow control, and a link lost under it.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshLink } from '../ssh/ssh-connect';
import { resolveTestHost, runOver, testDeps } from '../ssh/ssh-connect-testing';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy } from '../testing/ssh/fault-proxy';
import { writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd, type TestSshd } from '../testing/ssh/test-sshd';
import type { ShellExit } from './backend';
import { openSshShell, signalNumber, type SshShell } from './ssh-shell';

/** A limit for a broken test, never a measure of speed. */
const WAIT_MS = 15_000;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startTestSshd({ extraConfig: ['AcceptEnv TETHER_*'] });
});
afterAll(() => sshd?.stop());

async function connect(alias = 'testhost', on: TestSshd = sshd): Promise<SshLink> {
  const link = await connectSsh(await resolveTestHost(on, alias), await testDeps(on));
  return cleanups.add(link);
}

type Event = { kind: 'data'; text: string } | { kind: 'exit'; exit: ShellExit };

/** The shell's output and exit, in order, with a way to wait for either. */
function record(shell: SshShell) {
  const events: Event[] = [];
  let text = '';
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of waiters) waiter();
  };
  shell.onData((data) => {
    const chunk = data.toString('utf8');
    events.push({ kind: 'data', text: chunk });
    text += chunk;
    changed();
  });
  shell.onExit((exit) => {
    events.push({ kind: 'exit', exit });
    changed();
  });
  const exits = () => events.filter((event) => event.kind === 'exit');
  const until = (what: string, done: () => boolean, timeoutMs = WAIT_MS) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`waited in vain for ${what}; output so far:\n${text.slice(-2000)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  /** Searches only what is new (and a little before it): megabytes arrive in small chunks. */
  const untilOutput = (pattern: RegExp, timeoutMs?: number) => {
    let searched = 0;
    return until(
      String(pattern),
      () => {
        const found = pattern.test(text.slice(Math.max(0, searched - 200)));
        searched = text.length;
        return found;
      },
      timeoutMs,
    );
  };
  return {
    events,
    output: () => text,
    exits,
    untilOutput,
    untilExit: () => until('the exit', () => exits().length > 0),
  };
}

async function openShell(link: SshLink, cols = 80, rows = 24, env?: Record<string, string>) {
  const shell = await openSshShell(link, { cols, rows, env });
  cleanups.add({ stop: () => shell.kill() });
  return { shell, out: record(shell) };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('openSshShell', () => {
  it('runs a login shell on a PTY of the given size, and resizes it', async () => {
    const { shell, out } = await openShell(await connect(), 90, 33);
    expect(shell.pid).toBe(-1);
    expect(shell.isAlive()).toBe(true);
    shell.write('echo hi-$((40+2))\r');
    await out.untilOutput(/hi-42/);
    // The echoed command line says "size:$(stty size)"; only the output has digits.
    shell.write('echo "size:$(stty size)"\r');
    await out.untilOutput(/size:\d+ \d+/);
    expect(/size:(\d+ \d+)/.exec(out.output())?.[1]).toBe('33 90');

    shell.resize(100, 30);
    shell.write(Buffer.from('echo "again:$(stty size)"\r'));
    await out.untilOutput(/again:\d+ \d+/);
    expect(/again:(\d+ \d+)/.exec(out.output())?.[1]).toBe('30 100');
  });

  it('passes TERM, and env the sshd accepts', async () => {
    const { shell, out } = await openShell(await connect(), 80, 24, {
      TETHER_SESSION: 'sess-7',
    });
    shell.write('echo "term:$TERM:env:${TETHER_SESSION}:end"\r');
    await out.untilOutput(/term:[^:$]*:env:[^:$]*:end/);
    expect(out.output()).toContain('term:xterm-256color:env:sess-7:end');
  });

  it('exit 3 is one exit with code 3, after the last data', async () => {
    const { shell, out } = await openShell(await connect());
    shell.write('echo bye-$((1+1)); exit 3\r');
    await out.untilExit();
    expect(out.output()).toContain('bye-2');
    expect(out.exits()).toEqual([{ kind: 'exit', exit: { exitCode: 3, signal: null } }]);
    expect(out.events.at(-1)?.kind).toBe('exit');
    expect(shell.isAlive()).toBe(false);
    expect(shell.lostReason()).toBeNull();
    expect(() => shell.write('echo after\r')).not.toThrow();
    expect(() => shell.resize(10, 10)).not.toThrow();

    // A listener that comes late hears the exit once, and nothing more arrives.
    const late: ShellExit[] = [];
    shell.onExit((exit) => late.push(exit));
    await tick(50);
    expect(late).toEqual([{ exitCode: 3, signal: null }]);
    expect(out.exits()).toHaveLength(1);
    expect(out.events.at(-1)?.kind).toBe('exit');
  });

  it('kill() ends the shell: one exit', async () => {
    const { shell, out } = await openShell(await connect());
    shell.write('echo ready-$((2+3))\r');
    await out.untilOutput(/ready-5/);
    shell.kill();
    expect(shell.isAlive()).toBe(false);
    await out.untilExit();
    expect(out.exits()).toHaveLength(1);
    // sshd reports the hang-up as exit-signal HUP (with no status at all, SIGHUP is assumed).
    expect(out.exits()).toEqual([{ kind: 'exit', exit: { exitCode: null, signal: 1 } }]);
    shell.kill();
    await tick(50);
    expect(out.exits()).toHaveLength(1);
  });

  it('a lost link is one exit without a code, and says why', async () => {
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    try {
      const { shell, out } = await openShell(await connect('viaproxy'));
      shell.write('echo up-$((3+4))\r');
      await out.untilOutput(/up-7/);
      proxy.cut();
      await out.untilExit();
      expect(out.exits()).toEqual([
        {
          kind: 'exit',
          exit: {
            exitCode: null,
            signal: null,
            reason: expect.stringMatching(/^Connection lost: /),
          },
        },
      ]);
      expect(shell.lostReason()).toMatchObject({ kind: 'connection_lost' });
      expect(shell.isAlive()).toBe(false);
      expect(() => shell.write('x')).not.toThrow();
      await tick(50);
      expect(out.exits()).toHaveLength(1);
    } finally {
      // The shared sshd's HOME goes back to its own config.
      writeProxySetup(sshd, sshd.port);
    }
  });

  it('pause() holds the output back until resume()', async () => {
    const { shell, out } = await openShell(await connect());
    shell.write('stty -echo; echo go-$((5+5))\r');
    await out.untilOutput(/go-10/);
    shell.pause();
    const before = out.output().length;
    shell.write('seq 1 200000; echo "seq-$((7*3))-done"\r');
    await tick(500);
    expect(out.output().length).toBe(before);
    shell.resume();
    await out.untilOutput(/seq-21-done/);
    const lines = out.output().split(/\r?\n/);
    expect(lines).toContain('200000');
    expect(lines.indexOf('200000')).toBe(lines.indexOf('199999') + 1);
  });

  it(
    'a paused shell blocks on the far side (backpressure over SSH)',
    { timeout: 60_000 },
    async () => {
      const link = await connect();
      const { shell, out } = await openShell(link);
      const file = join(sshd.dir, `progress-${process.pid}`);
      shell.write('stty -echo; echo go-$((6+6))\r');
      await out.untilOutput(/go-12/);
      shell.pause();
      // tee writes the file as fast as the terminal takes its output.
      shell.write(`seq 1 1000000 | tee ${file}; echo "tee-$((8*8))-done"\r`);
      const size = async () => {
        const result = await runOver(link, `stat -c %s ${file} 2>/dev/null || echo 0`);
        return Number(result.stdout.trim());
      };
      // Until the file stops growing: the terminal's buffers are full.
      let last = -1;
      let now = await size();
      for (let i = 0; i < 60 && (now !== last || now === 0); i++) {
        await tick(250);
        last = now;
        now = await size();
      }
      expect(now).toBe(last);
      const total = statSize(file, now);
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThan(6_888_896); // the bytes of `seq 1 1000000`
      shell.resume();
      // 6.9 MB through sshd, ssh2 and the test on a busy 2-core machine: a limit, not a speed.
      await out.untilOutput(/tee-64-done/, 45_000);
      expect(out.output()).toContain('\n1000000\r\n');
      expect(await size()).toBe(6_888_896);
    },
  );
});

describe('signalNumber', () => {
  it('maps the names sshd sends to numbers', () => {
    expect(signalNumber('SIGHUP')).toBe(1);
    expect(signalNumber('INT')).toBe(2);
    expect(signalNumber('hup')).toBe(1);
    expect(signalNumber('SIGKILL')).toBe(9);
    expect(signalNumber('SIGTERM')).toBe(15);
    expect(signalNumber(undefined)).toBeNull();
    expect(signalNumber('SIGNOSUCH')).toBeNull();
  });
});

/** The file is on this machine too (the test sshd is local). */
function statSize(path: string, fallback: number): number {
  try {
    return statSync(path).size;
  } catch {
    return fallback;
  }
}
