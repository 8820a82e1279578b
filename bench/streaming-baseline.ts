/**
 * The streaming baseline of the throughput benchmark: what a well-written
 * minimal web terminal (ttyd, xterm.js's demo with its flow-control guide)
 * achieves. node-pty → a WebSocket server on 127.0.0.1 (`ws`, in the bench
 * process) → a bare xterm.js of Tether's size and options in the same
 * browser, the socket on the page's main thread as the attach addon has it.
 *
 * The server batches pty output for 16 ms into one binary frame, as the
 * xterm.js demo's server does (it waits 5 ms; 16 is Tether's own batching
 * and was as fast or faster in trial runs; unbatched, a frame per ~4 KiB
 * pty read, ran 30–50% slower). Flow control is the guide's watermark scheme
 * carried over the socket: the page counts bytes handed to `term.write` and
 * not yet parsed, sends PAUSE above 1 MiB and RESUME once under 256 KiB, and
 * the server pauses and resumes the pty. Those are Tether's own window
 * (main/terminals/zone.ts), so the two differ in pipeline, not in how much
 * they let run ahead.
 *
 * The page's count alone rarely reaches 1 MiB: Chromium takes a WebSocket's
 * data only as fast as the page's busy main thread reads it, so the rest
 * waits in the server's send buffer (up to 17 MB of a 20 MiB run in trials,
 * which would put seconds of output ahead of every keystroke). So the server
 * also pauses the pty while more than 1 MiB waits unsent, and resumes it
 * under 256 KiB: like Tether, the baseline runs at most a bounded amount ahead
 * of what the page has shown.
 *
 * The clock runs in the page: from opening the socket (the ask; the server
 * spawns `cat` on the connection) until xterm has parsed every byte.
 */
import type { Browser, Page } from '@playwright/test';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as pty from 'node-pty';
import { WebSocketServer } from 'ws';
import { openBareTerminal, type BareTerminalSetup } from './bare-xterm';

const BATCH_MS = 16;
const PAUSE_ABOVE = 1024 * 1024;
const RESUME_BELOW = 256 * 1024;
const PAUSE = 'PAUSE';
const RESUME = 'RESUME';

declare global {
  interface Window {
    __streaming?: { parsed: number; ms?: number; closed?: boolean };
  }
}

export type StreamingCat = BareTerminalSetup & {
  size: { cols: number; rows: number };
  file: string;
  /** Bytes the tty sends for the file (\n → \r\n). */
  streamBytes: number;
};

type CatServer = {
  url: string;
  /** Rejects when a stream's pty ends before the page was done with it (cat failed). */
  failed: Promise<never>;
  dispose(): Promise<void>;
};

/**
 * Serves `cat file` from a fresh pty to every connection. The shell stays
 * after `cat`: node-pty drops what is still unread 200 ms after its child
 * exits, which a paused pty would hit at the end of a run.
 */
async function serveCat(file: string, size: { cols: number; rows: number }): Promise<CatServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const terms = new Set<pty.IPty>();
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  // Only raced while a run waits; never left unhandled.
  failed.catch(() => {});
  server.on('connection', (socket) => {
    const term = pty.spawn('/bin/sh', ['-c', 'cat -- "$0" && exec sleep 600', file], {
      name: 'xterm-256color',
      ...size,
      cwd: '/',
      env: { ...process.env, TERM: 'xterm-256color' },
      // Raw Buffers (the typings say string).
      encoding: null,
    });
    terms.add(term);
    let batch: Buffer[] = [];
    let batchTimer: NodeJS.Timeout | undefined;
    // Paused by the page (its xterm is behind) or by the socket (the page is not reading).
    let pagePaused = false;
    let socketTimer: NodeJS.Timeout | undefined;
    const pauseFor = (page: boolean | undefined) => {
      if (page !== undefined) pagePaused = page;
      const socketBehind = socketTimer !== undefined;
      if (pagePaused || socketBehind) term.pause();
      else term.resume();
    };
    const watchSocket = () => {
      socketTimer = setTimeout(() => {
        socketTimer = undefined;
        if (socket.bufferedAmount > RESUME_BELOW) watchSocket();
        else pauseFor(undefined);
      }, 5);
    };
    const flush = () => {
      batchTimer = undefined;
      socket.send(Buffer.concat(batch));
      batch = [];
      if (socket.bufferedAmount > PAUSE_ABOVE && socketTimer === undefined) {
        watchSocket();
        pauseFor(undefined);
      }
    };
    term.onData((data) => {
      batch.push(data as unknown as Buffer);
      batchTimer ??= setTimeout(flush, BATCH_MS);
    });
    term.onExit(({ exitCode }) => {
      terms.delete(term);
      if (socket.readyState === socket.OPEN) fail(new Error(`cat exited with ${exitCode}`));
    });
    socket.on('message', (message) => {
      const word = message.toString();
      if (word === PAUSE) pauseFor(true);
      else if (word === RESUME) pauseFor(false);
    });
    socket.on('close', () => {
      clearTimeout(batchTimer);
      clearTimeout(socketTimer);
      if (terms.has(term)) term.kill();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    failed,
    async dispose() {
      for (const client of server.clients) client.terminate();
      for (const term of terms) term.kill();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Milliseconds for one `cat file` streamed into a fresh bare terminal, until every byte is parsed. */
export async function measureStreamingCat(browser: Browser, run: StreamingCat): Promise<number> {
  const server = await serveCat(run.file, run.size);
  let page: Page | undefined;
  try {
    page = await openBareTerminal(browser, run);
    await page.evaluate(
      ({ url, streamBytes, pauseAbove, resumeBelow, pause, resume }) =>
        new Promise<void>((resolve, reject) => {
          const term = window.__bareXterm!;
          const stream: NonNullable<Window['__streaming']> = { parsed: 0 };
          window.__streaming = stream;
          let pending = 0;
          let paused = false;
          const started = performance.now();
          const socket = new WebSocket(url);
          socket.binaryType = 'arraybuffer';
          socket.onmessage = (event: MessageEvent<ArrayBuffer>) => {
            const data = new Uint8Array(event.data);
            pending += data.byteLength;
            term.write(data, () => {
              pending -= data.byteLength;
              stream.parsed += data.byteLength;
              if (stream.ms === undefined && stream.parsed >= streamBytes) {
                stream.ms = performance.now() - started;
              }
              if (paused && pending < resumeBelow) {
                paused = false;
                socket.send(resume);
              }
            });
            if (!paused && pending > pauseAbove) {
              paused = true;
              socket.send(pause);
            }
          };
          socket.onopen = () => resolve();
          socket.onerror = () => reject(new Error(`no WebSocket at ${url}`));
          socket.onclose = () => (stream.closed = true);
        }),
      {
        url: server.url,
        streamBytes: run.streamBytes,
        pauseAbove: PAUSE_ABOVE,
        resumeBelow: RESUME_BELOW,
        pause: PAUSE,
        resume: RESUME,
      },
    );
    const done = page.waitForFunction(
      () => window.__streaming!.ms ?? (window.__streaming!.closed ? -1 : undefined),
      undefined,
      { polling: 100, timeout: 600_000 },
    );
    const ms = Number(await (await Promise.race([done, server.failed])).jsonValue());
    if (ms < 0) throw new Error('the streaming baseline lost its WebSocket before the end');
    return ms;
  } finally {
    await page?.close();
    await server.dispose();
  }
}
