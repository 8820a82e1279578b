/**
 * Headless terminal mirrors of every session's output, so a block attaching
 * later gets the screen, scrollback and modes. The parsing is CPU work, so the
 * mirrors live in one worker thread; this side only copies bytes and posts
 * them, batched per turn of the event loop, in exact order.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  MirrorOp,
  MirrorReply,
  MirrorSnapshot,
  MirrorTails,
  MirrorWorkerData,
} from './mirror-protocol';

export type { MirrorSnapshot, MirrorTails } from './mirror-protocol';

export type MirrorPool = {
  /** Start mirroring a session at this size (a fresh, empty terminal). */
  open(id: string, cols: number, rows: number): void;
  /** Feed output bytes, in stream order; copies them, so the caller may reuse its buffer. */
  write(id: string, data: Uint8Array): void;
  resize(id: string, cols: number, rows: number): void;
  /**
   * Serialized screen + scrollback + modes after exactly the writes/resizes posted before this
   * call. Rejects if the id is unknown or the worker died.
   */
  snapshot(id: string): Promise<MirrorSnapshot>;
  /** The last `count` non-empty lines of text on screen/scrollback, right-trimmed (for previews). */
  tail(id: string, count: number): Promise<string[]>;
  /**
   * `tail` of many mirrors in one round trip to the worker. A mirror that is unknown, or still
   * parsing after `waitMs`, is left out of the answer rather than holding it up.
   */
  tails(ids: readonly string[], count: number, waitMs: number): Promise<MirrorTails>;
  /** Clear a mirror (a restarted shell starts on an empty screen) keeping its size. */
  reset(id: string): void;
  close(id: string): void;
  dispose(): Promise<void>;
};

export type MirrorPoolOptions = {
  /** Lines kept above the screen per mirror; this is what bounds the worker's memory. */
  scrollback?: number;
  /** Unparsed bytes one mirror may queue before the oldest are dropped (output outrunning the parser). */
  backlogLimit?: number;
  /** The worker died (its mirrors are gone; a new one starts on next use) or a mirror dropped output. */
  onError?: (error: Error) => void;
};

/** The pool plus a hook that kills the worker as a crash would. */
export type TestableMirrorPool = MirrorPool & { __terminateWorkerForTest(): Promise<void> };

/** Posts are merged until the next turn of the event loop, or until this many bytes wait. */
const batchBytesLimit = 1024 * 1024;

type Request = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** The worker the request went to; unset while it waits in the batch. */
  worker?: Worker;
};

/** Starts the worker lazily, on first use, and again on first use after it dies. */
export function createMirrorPool(options: MirrorPoolOptions = {}): TestableMirrorPool {
  const workerData: MirrorWorkerData = {
    scrollback: options.scrollback ?? 10_000,
    backlogLimit: options.backlogLimit ?? 32 * 1024 * 1024,
  };
  const requests = new Map<number, Request>();
  let nextRequest = 1;
  let worker: Worker | undefined;
  let batch: MirrorOp[] = [];
  let batchBytes = 0;
  let flushScheduled = false;
  let disposed = false;

  function startWorker(): Worker {
    const { script, eval: isCode } = workerScript();
    const started = new Worker(script, { workerData, eval: isCode });
    let crash: Error | undefined;
    started.on('message', (reply: MirrorReply) => receive(reply));
    started.on('error', (error) => (crash = error));
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      const reason = crash ? `: ${crash.message}` : '';
      const error = disposed
        ? new Error('session mirror pool disposed')
        : new Error(`session mirror worker exited (code ${code})${reason}`, { cause: crash });
      for (const [number, request] of requests) {
        if (request.worker === started) settle(number)?.reject(error);
      }
      if (!disposed) options.onError?.(error);
    });
    // Idle, it must not keep the process alive; with a request out, it must.
    started.unref();
    return started;
  }

  function receive(reply: MirrorReply): void {
    if (reply.kind === 'overflow') {
      const message = `session mirror '${reply.id}' fell behind; dropped ${reply.droppedBytes} bytes`;
      options.onError?.(new Error(message));
      return;
    }
    const request = settle(reply.request);
    if (!request) return;
    if (reply.kind === 'reply') request.resolve(reply.value);
    else request.reject(new Error(reply.message));
  }

  /** Forgets a request, letting the worker go idle when none is left. */
  function settle(number: number): Request | undefined {
    const request = requests.get(number);
    requests.delete(number);
    if (requests.size === 0) worker?.unref();
    return request;
  }

  function post(op: MirrorOp): void {
    if (disposed) return;
    batch.push(op);
    if (op.kind === 'write') batchBytes += op.data.byteLength;
    if (batchBytes >= batchBytesLimit) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  function flush(): void {
    flushScheduled = false;
    if (batch.length === 0 || disposed) return;
    const ops = mergeWrites(batch);
    batch = [];
    batchBytes = 0;
    try {
      worker ??= startWorker();
    } catch (cause) {
      const error = new Error('session mirror worker did not start', { cause });
      for (const op of ops) if ('request' in op) settle(op.request)?.reject(error);
      options.onError?.(error);
      return;
    }
    for (const op of ops) {
      const request = 'request' in op ? requests.get(op.request) : undefined;
      if (request) request.worker = worker;
    }
    if (requests.size > 0) worker.ref();
    // The copies are ours, so they move to the worker instead of being cloned again.
    const transfer = ops.flatMap((op) => (op.kind === 'write' ? [op.data.buffer] : []));
    worker.postMessage(ops, transfer as ArrayBuffer[]);
  }

  function ask<T>(op: (request: number) => MirrorOp): Promise<T> {
    if (disposed) return Promise.reject(new Error('session mirror pool disposed'));
    const request = nextRequest++;
    return new Promise<T>((resolve, reject) => {
      requests.set(request, { resolve: resolve as (value: unknown) => void, reject });
      post(op(request));
    });
  }

  return {
    open: (id, cols, rows) => post({ kind: 'open', id, cols, rows }),
    write(id, data) {
      if (data.byteLength > 0) post({ kind: 'write', id, data: new Uint8Array(data) });
    },
    resize: (id, cols, rows) => post({ kind: 'resize', id, cols, rows }),
    snapshot: (id) => ask((request) => ({ kind: 'snapshot', id, request })),
    tail: (id, count) => ask((request) => ({ kind: 'tail', id, count, request })),
    tails: (ids, count, waitMs) =>
      ask((request) => ({ kind: 'tails', ids: [...ids], count, waitMs, request })),
    reset: (id) => post({ kind: 'reset', id }),
    close: (id) => post({ kind: 'close', id }),
    async dispose() {
      if (disposed) return;
      disposed = true;
      batch = [];
      const error = new Error('session mirror pool disposed');
      for (const request of requests.values()) request.reject(error);
      requests.clear();
      await worker?.terminate();
    },
    async __terminateWorkerForTest() {
      flush();
      await worker?.terminate();
    },
  };
}

/** Consecutive writes to one mirror become one message part: fewer parse callbacks in the worker. */
function mergeWrites(ops: MirrorOp[]): MirrorOp[] {
  const merged: MirrorOp[] = [];
  let run: Uint8Array[] = [];
  const endRun = () => {
    const last = merged[merged.length - 1];
    if (run.length > 1 && last?.kind === 'write') last.data = concat(run);
    run = [];
  };
  for (const op of ops) {
    const last = merged[merged.length - 1];
    if (op.kind === 'write' && last?.kind === 'write' && last.id === op.id) {
      run.push(op.data);
      continue;
    }
    endRun();
    merged.push(op);
    if (op.kind === 'write') run = [op.data];
  }
  endRun();
  return merged;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

/**
 * How to start the worker. Bundled by electron-vite, it is its own entry,
 * out/main/mirror-worker.js; this module is then either an entry in the same
 * folder or part of a shared chunk in out/main/chunks, hence two places to
 * look. From sources (vitest, tsx) it is the .ts file beside this one, loaded
 * through tsx's require hook: Node 20 does not apply `--import` loader hooks
 * inside worker threads, so the ESM route is closed there.
 */
function workerScript(): { script: string; eval: boolean } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsx = createRequire(here).resolve('tsx/cjs/api');
    const entry = fileURLToPath(new URL('./mirror-worker.ts', here));
    const script = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
    return { script, eval: true };
  }
  for (const candidate of ['./mirror-worker.js', '../mirror-worker.js']) {
    const file = new URL(candidate, here);
    if (existsSync(file)) return { script: fileURLToPath(file), eval: false };
  }
  throw new Error(`session mirror worker not found next to ${here}`);
}
