/**
 * The tmux benchmark's pieces shared by its measures: a host whose local
 * sessions run on tmux or on pty, each with a tmux server of its own (a fresh
 * TMUX_TMPDIR, killed with the host); CPU time of the host, its tmux server
 * and control clients, and a page's main thread; and keystroke → echo on an
 * idle block.
 */
import type { Browser, CDPSession, Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startHost, type Host, type HostOptions } from '../e2e/fixtures/host';
import { expectBlockCount, expectPrompt } from '../e2e/fixtures/workspace';
import { startTestTmux, type TestTmux } from '../main/testing/test-tmux';

export type LocalBackend = 'tmux' | 'pty';

export type BackendHost = {
  backend: LocalBackend;
  host: Host;
  tmux: TestTmux;
  /** The tmux server's pid; null while none runs (a pty host never starts one). */
  serverPid(): Promise<number | null>;
  /** Stops the host, then kills its tmux server and removes its dir, even when the host failed to stop. */
  stop(): Promise<void>;
};

/** A host on `backend` with a private tmux server: `stop()` leaves nothing running. */
export async function startBackendHost(
  backend: LocalBackend,
  options: HostOptions = {},
): Promise<BackendHost> {
  const tmux = await startTestTmux();
  let host: Host;
  try {
    host = await startHost({
      ...options,
      env: { ...options.env, TMUX_TMPDIR: tmux.tmpdir, TETHER_LOCAL_BACKEND: backend },
    });
  } catch (error) {
    await tmux.dispose();
    throw error;
  }
  return {
    backend,
    host,
    tmux,
    async serverPid() {
      try {
        return Number((await tmux.run(['display-message', '-p', '#{pid}'])).trim()) || null;
      } catch {
        return null;
      }
    },
    async stop() {
      try {
        await host.stop();
      } finally {
        await tmux.dispose();
      }
    },
  };
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system, all threads) a live process has used; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Pids of `parent`'s children whose command is `name` (the host's `tmux: client`s). */
export function childrenNamed(parent: number, name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && command === name) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Seconds the page's main thread was busy with tasks (CDP `TaskDuration`), since it was opened. */
export async function pageBusy(page: Page): Promise<{ seconds(): Promise<number> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return {
    async seconds() {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0;
    },
  };
}

export type CpuSplit = { hostS: number; tmuxServerS: number; tmuxClientsS: number; pageS: number };

/** Starts a CPU account over a measure; `stop()` says what each part used meanwhile. */
export async function cpuAccount(
  backendHost: BackendHost,
  busy: { seconds(): Promise<number> },
): Promise<{ stop(): Promise<CpuSplit> }> {
  const hostPid = backendHost.host.pid;
  const serverPid = await backendHost.serverPid();
  const clients = childrenNamed(hostPid, 'tmux: client');
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + cpuSeconds(pid), 0);
  const start = {
    host: cpuSeconds(hostPid),
    server: serverPid === null ? 0 : cpuSeconds(serverPid),
    clients: sum(clients),
    page: await busy.seconds(),
  };
  return {
    async stop() {
      return {
        hostS: cpuSeconds(hostPid) - start.host,
        tmuxServerS: serverPid === null ? 0 : cpuSeconds(serverPid) - start.server,
        tmuxClientsS: sum(clients) - start.clients,
        pageS: (await busy.seconds()) - start.page,
      };
    },
  };
}

/**
 * Keystroke → echo on an idle shell prompt, timed inside the page: a key goes in
 * through the keyboard's own path (the probe's `typeKeys`) and the clock stops
 * when the terminal has parsed the shell's echo of it; a backspace then takes
 * it away again (waited for, untimed). Milliseconds to parsed, and to the frame
 * after (when it is painted).
 */
export async function measureIdleEcho(
  page: Page,
  blockId: string,
): Promise<{ parsedMs: number; paintedMs: number }> {
  return page.evaluate(async (id) => {
    // No named helpers in here: the bundler would wrap them in a function the page lacks.
    const term = window.__tetherTest!.terms[id]!;
    // Polled in tasks of a message channel, finer than setTimeout's 4 ms clamp, so the
    // parse is seen when it lands.
    const channel = new MessageChannel();
    let wake: (() => void) | undefined;
    channel.port1.onmessage = () => wake?.();
    await new Promise(requestAnimationFrame);
    const before = term.bytesParsed();
    const start = performance.now();
    term.typeKeys('x');
    while (term.bytesParsed() === before) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        channel.port2.postMessage(null);
      });
      if (performance.now() - start > 10_000) throw new Error('no echo within 10 s');
    }
    const parsedMs = performance.now() - start;
    await new Promise(requestAnimationFrame);
    const paintedMs = performance.now() - start;
    const typed = term.bytesParsed();
    term.typeKeys('\x7f');
    while (term.bytesParsed() === typed) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        channel.port2.postMessage(null);
      });
    }
    // Readline may answer a backspace in more than one write.
    await new Promise((resolve) => setTimeout(resolve, 50));
    channel.port1.close();
    return { parsedMs, paintedMs };
  }, blockId);
}

export type BlockPage = {
  page: Page;
  blockId: string;
  busy: { seconds(): Promise<number> };
};

/** A page on `url` showing its one block at a prompt, with its main thread's busy time counted. */
export async function openBlockPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<BlockPage> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  const [blockId] = await expectBlockCount(page, 1);
  await expectPrompt(page, blockId!);
  // Let the login's last output (prompt redraws, bracketed paste) settle.
  await page.waitForTimeout(500);
  return { page, blockId: blockId!, busy: await pageBusy(page) };
}
