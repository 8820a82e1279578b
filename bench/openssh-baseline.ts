/**
 * Baseline (b) of the SSH benchmark: OpenSSH's own client, `ssh -tt host cat
 * file` (the remote side gets a pty), its output carried over a WebSocket on
 * 127.0.0.1 into a bare xterm.js of the same size and options in the same
 * browser. The feed is what a plain terminal app would do: output batched for
 * 5 ms, the page acknowledging every 32 KiB it has parsed, and ssh's output
 * paused above 1 MiB unacknowledged until it is back under 256 KiB (Tether's
 * own window, so the two differ in pipeline, not in flow control).
 *
 * ssh's stdout is a pipe, not a local pty: node-pty drops what is still
 * unread 200 ms after the child exits, which a paused pty hit at the end of
 * most runs. A pipe also spares the baseline a hop (it can only be faster).
 */
import type { Browser, Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket as PageSocket } from 'ws';
import { openBareTerminal, type BareTerminalSetup } from './bare-xterm';

const BATCH_MS = 5;
const ACK_BYTES = 32 * 1024;
const PAUSE_ABOVE = 1024 * 1024;
const RESUME_BELOW = 256 * 1024;

declare global {
  interface Window {
    __bareParsed?: number;
  }
}

export type OpenSshCat = BareTerminalSetup & {
  size: { cols: number; rows: number };
  /** The ssh_config that names the host (`-F`), and the HOME ssh runs with. */
  configPath: string;
  home: string;
  alias: string;
  file: string;
  /** Bytes the remote tty sends for the file (\n → \r\n). */
  streamBytes: number;
};

export type OpenSshTimes = {
  /** From ssh's first byte until the page has parsed streamBytes. */
  ms: number;
  /** From spawning ssh until its first byte (connect, auth, session): not in ms. */
  connectMs: number;
  /** Everything ssh printed, the closing "Connection to … closed." included. */
  receivedBytes: number;
};

/** One timed `ssh -tt alias cat file` into a fresh bare terminal. */
export async function measureOpenSshCat(browser: Browser, run: OpenSshCat): Promise<OpenSshTimes> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  let page: Page | undefined;
  let ssh: ChildProcess | undefined;
  let batchTimer: NodeJS.Timeout | undefined;
  try {
    page = await openBareTerminal(browser, run);
    const connection = once(server, 'connection') as Promise<[PageSocket]>;
    const { port } = server.address() as AddressInfo;
    await page.evaluate(
      ({ url, ackBytes }) =>
        new Promise<void>((resolve, reject) => {
          const term = window.__bareXterm!;
          const socket = new WebSocket(url);
          socket.binaryType = 'arraybuffer';
          window.__bareParsed = 0;
          let unacked = 0;
          socket.onmessage = (event: MessageEvent<ArrayBuffer>) => {
            const data = new Uint8Array(event.data);
            term.write(data, () => {
              window.__bareParsed! += data.byteLength;
              unacked += data.byteLength;
              if (unacked >= ackBytes) {
                socket.send(String(unacked));
                unacked = 0;
              }
            });
          };
          socket.onopen = () => resolve();
          socket.onerror = () => reject(new Error(`no WebSocket at ${url}`));
        }),
      { url: `ws://127.0.0.1:${port}`, ackBytes: ACK_BYTES },
    );
    const [socket] = await connection;

    const spawned = performance.now();
    ssh = spawn('ssh', ['-tt', '-F', run.configPath, run.alias, 'cat', run.file], {
      cwd: run.home,
      env: { ...process.env, HOME: run.home, TERM: 'xterm-256color', SSH_AUTH_SOCK: undefined },
      // stdin stays open and unused: its end would reach the remote pty as an EOF.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const child = ssh;
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      // 'close': the exit and both pipes read to their end.
      child.once('close', (code) => resolve(code));
    });

    let firstByteAt: number | undefined;
    let receivedBytes = 0;
    let batch: Buffer[] = [];
    let unacked = 0;
    let paused = false;
    const outputs = [child.stdout!, child.stderr!];
    const flush = () => {
      batchTimer = undefined;
      const data = Buffer.concat(batch);
      batch = [];
      unacked += data.byteLength;
      socket.send(data);
      if (!paused && unacked > PAUSE_ABOVE) {
        paused = true;
        for (const output of outputs) output.pause();
      }
    };
    // Both, as a terminal shows them: ssh ends with "Connection to … closed." on stderr.
    for (const output of outputs) {
      output.on('data', (data: Buffer) => {
        firstByteAt ??= performance.now();
        receivedBytes += data.byteLength;
        batch.push(data);
        batchTimer ??= setTimeout(flush, BATCH_MS);
      });
    }
    socket.on('message', (message) => {
      unacked -= Number(message.toString());
      if (paused && unacked < RESUME_BELOW) {
        paused = false;
        for (const output of outputs) output.resume();
      }
    });

    const parsed = page.waitForFunction(
      (target) => (window.__bareParsed ?? 0) >= target,
      run.streamBytes,
      { polling: 10, timeout: 600_000 },
    );
    // ssh usually ends before the page has parsed its last bytes; fail at once if it ended short.
    const complete = exited.then((code) => {
      if (receivedBytes >= run.streamBytes) return parsed;
      throw new Error(`ssh exited (${code}) after ${receivedBytes} of ${run.streamBytes} bytes`);
    });
    await Promise.race([parsed, complete]);
    const done = performance.now();
    const exitCode = await exited;
    if (exitCode !== 0) throw new Error(`ssh exited with ${exitCode}`);
    return {
      ms: done - firstByteAt!,
      connectMs: firstByteAt! - spawned,
      receivedBytes,
    };
  } finally {
    clearTimeout(batchTimer);
    if (ssh && ssh.exitCode === null && ssh.signalCode === null) ssh.kill();
    await page?.close();
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
}
