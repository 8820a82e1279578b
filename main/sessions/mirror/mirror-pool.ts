/**
 * Headless terminal mirrors of every session's output, so a block attaching
 * later gets the screen, scrollback and modes. The parsing is CPU work, so the
 * mirrors live in one worker thread. This side keeps each session's feed
 * (mirror-feed.ts: what waits to be parsed, when it is, and the byte bound
 * that holds a shell back) and posts steps in batches, in exact order.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_FEED_LIMITS,
  MirrorFeed,
  type FeedHooks,
  type FeedLimits,
  type FeedOp,
  type MirrorSource,
} from './mirror-feed';
import type {
  MirrorOp,
  MirrorReply,
  MirrorSnapshot,
  MirrorTails,
  MirrorWorkerData,
} from './mirror-protocol';

export type { MirrorSnapshot, MirrorTails } from './mirror-protocol';
export type { MirrorSource } from './mirror-feed';

/** A snapshot and the stream position it reflects (the zone offset just past its last byte). */
export type PositionedSnapshot = MirrorSnapshot & { position: number };

/** What a session's mirror tells its owner. */
export type MirrorHooks = {
  /** Too much output waits to be parsed: hold the shell back (true) until it is let go (false). */
  pressure?(held: boolean): void;
  /** The mirror fell behind (output let go, or the shell held back): for the log's digest. */
  behind?(what: 'skipped' | 'held', bytes: number): void;
  /** Rebuilding it from the shell's own screen failed. */
  rebuildFailed?(error: unknown): void;
};

export type MirrorPool = {
  /** Start mirroring a session at this size (a fresh, empty terminal). */
  open(id: string, cols: number, rows: number, hooks?: MirrorHooks): void;
  /** The shell now behind the session, if it can repaint its own screen (tmux); else null. */
  setSource(id: string, source: MirrorSource | null): void;
  /** Feed output bytes, in stream order. They are kept until parsed: the caller must not reuse the buffer. */
  write(id: string, data: Uint8Array): void;
  resize(id: string, cols: number, rows: number): void;
  /**
   * Serialized screen + scrollback + modes after exactly the output written before it, and
   * that output's stream position. Asked of a mirror that is current, it reflects the writes
   * before this call; one that let output go is rebuilt first and says where it then is.
   * Rejects if the id is unknown, the rebuild fails or the worker died.
   */
  snapshot(id: string): Promise<PositionedSnapshot>;
  /** The last `count` non-empty lines of text on screen/scrollback, right-trimmed (for previews). */
  tail(id: string, count: number): Promise<string[]>;
  /**
   * `tail` of many mirrors in one round trip to the worker. A mirror that is unknown, or still
   * being rebuilt or parsing after `waitMs`, is left out of the answer rather than holding it up.
   */
  tails(ids: readonly string[], count: number, waitMs: number): Promise<MirrorTails>;
  /** Clear a mirror (a restarted shell starts on an empty screen) keeping its size. */
  reset(id: string): void;
  /** A flood is over: the worker gives back what it used (a full garbage collection). */
  collectGarbage(): void;
  close(id: string): void;
  dispose(): Promise<void>;
};

export type MirrorPoolOptions = {
  /** Lines kept above the screen per mirror; this bounds the worker's memory per session. */
  scrollback?: number;
  /** When output is parsed and how much may wait (see mirror-feed.ts). */
  limits?: Partial<FeedLimits>;
  /** The worker died (its mirrors start again, empty and behind) or did not start. */
  onError?: (error: Error) => void;
};

/** The pool plus a hook that kills the worker as a crash would. */
export type TestableMirrorPool = MirrorPool & {
  __terminateWorkerForTest(): Promise<void>;
  /** Bytes one mirror holds unparsed (queued here or in the worker). */
  __unparsedForTest(id: string): number;
};

/**
 * A small young generation: parsing a flood allocates fast, and V8 would otherwise grow the
 * worker's nursery to 32 MB and keep it after the flood (measured). Scavenges stay cheap.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

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
  const workerData: MirrorWorkerData = { scrollback: options.scrollback ?? 10_000 };
  const limits: FeedLimits = { ...DEFAULT_FEED_LIMITS, ...options.limits };
  const feeds = new Map<string, MirrorFeed>();
  const requests = new Map<number, Request>();
  let nextRequest = 1;
  let worker: Worker | undefined;
  let batch: MirrorOp[] = [];
  let batchBytes = 0;
  let flushScheduled = false;
  let disposed = false;
  /** A worker died: the next one first opens every mirror again. */
  let reopen = false;
  /** Said once until a worker starts again, however often one fails to. */
  let startFailedSaid = false;

  function startWorker(): Worker {
    const { script, eval: isCode } = workerScript();
    const started = new Worker(script, { workerData, eval: isCode, resourceLimits: WORKER_LIMITS });
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
      if (disposed) return;
      // Steps not sent yet were meant for the old mirrors (requests among them fail like
      // those sent); the mirrors start again, empty and behind, when the next worker starts.
      for (const op of batch) if ('request' in op) settle(op.request)?.reject(error);
      lostMirrors();
      options.onError?.(error);
    });
    // Idle, it must not keep the process alive; with a request out, it must.
    started.unref();
    return started;
  }

  function receive(reply: MirrorReply): void {
    if (reply.kind === 'parsed') {
      for (const [id, bytes] of Object.entries(reply.bytes)) feeds.get(id)?.parsed(bytes);
      return;
    }
    const request = settle(reply.request);
    if (!request) return;
    if (reply.kind === 'reply') request.resolve(reply.value);
    else request.reject(new Error(reply.message));
  }

  /**
   * The worker's mirrors are gone: every feed is behind (nothing it handed over will be
   * parsed, so nothing holds a shell back), and the next worker opens them again. It starts
   * on next use, not now, so a worker that cannot run is not restarted in a loop.
   */
  function lostMirrors(): void {
    batch = [];
    batchBytes = 0;
    reopen = true;
    for (const feed of feeds.values()) feed.workerLost();
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
    let ops = mergeWrites(batch);
    batch = [];
    batchBytes = 0;
    try {
      worker ??= startWorker();
    } catch (cause) {
      const error = new Error('session mirror worker did not start', { cause });
      for (const op of ops) if ('request' in op) settle(op.request)?.reject(error);
      lostMirrors();
      if (!startFailedSaid) options.onError?.(error);
      startFailedSaid = true;
      return;
    }
    startFailedSaid = false;
    if (reopen) {
      reopen = false;
      const opens = [...feeds].map(([id, feed]): MirrorOp => ({ kind: 'open', id, ...feed.size }));
      ops = [...opens, ...ops];
    }
    for (const op of ops) {
      const request = 'request' in op ? requests.get(op.request) : undefined;
      if (request) request.worker = worker;
    }
    if (requests.size > 0) worker.ref();
    // The merged copies are ours, so they move to the worker instead of being cloned again.
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

  function feedOf(id: string): MirrorFeed | undefined {
    return disposed ? undefined : feeds.get(id);
  }

  function hooksFor(id: string, hooks: MirrorHooks): FeedHooks {
    return {
      post: (ops: FeedOp[]) => {
        for (const op of ops) post({ ...op, id });
      },
      pressure: (held) => hooks.pressure?.(held),
      behind: (what, bytes) => hooks.behind?.(what, bytes),
      rebuildFailed: (error) => hooks.rebuildFailed?.(error),
    };
  }

  /** The feed caught up and flushed, then the request, in one synchronous step. */
  async function askCurrent<T>(
    id: string,
    op: (request: number) => MirrorOp,
  ): Promise<[T, number]> {
    const feed = feedOf(id);
    if (!feed) return [await ask<T>(op), 0];
    if (feed.isStale) await feed.catchUp();
    feed.flush();
    const position = feed.position;
    return [await ask<T>(op), position];
  }

  return {
    open(id, cols, rows, hooks = {}) {
      if (disposed) return;
      feeds.get(id)?.close();
      feeds.set(id, new MirrorFeed({ cols, rows }, hooksFor(id, hooks), limits));
      post({ kind: 'open', id, cols, rows });
    },
    setSource: (id, source) => feedOf(id)?.setSource(source),
    write(id, data) {
      if (data.byteLength > 0) feedOf(id)?.write(data);
    },
    resize: (id, cols, rows) => feedOf(id)?.resize(cols, rows),
    async snapshot(id) {
      const [snapshot, position] = await askCurrent<MirrorSnapshot>(id, (request) => ({
        kind: 'snapshot',
        id,
        request,
      }));
      return { ...snapshot, position };
    },
    async tail(id, count) {
      const [lines] = await askCurrent<string[]>(id, (request) => ({
        kind: 'tail',
        id,
        count,
        request,
      }));
      return lines;
    },
    async tails(ids, count, waitMs) {
      const started = Date.now();
      // Mirrors that let a flood go are rebuilt first, within the wait; one not done by then is left out.
      const behind = ids.flatMap((id) => {
        const feed = feedOf(id);
        return feed?.isStale ? [{ id, feed }] : [];
      });
      const rebuilt = new Set<string>();
      if (behind.length > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.allSettled(
            behind.map(({ id, feed }) => feed.catchUp().then(() => rebuilt.add(id))),
          ),
          new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
        ]);
        clearTimeout(timer);
      }
      const ready = ids.filter((id) => !feedOf(id)?.isStale || rebuilt.has(id));
      for (const id of ready) feedOf(id)?.flush();
      const left = Math.max(0, waitMs - (Date.now() - started));
      return ask<MirrorTails>((request) => ({
        kind: 'tails',
        ids: ready,
        count,
        waitMs: left,
        request,
      }));
    },
    reset: (id) => feedOf(id)?.reset(),
    collectGarbage() {
      // Only a running worker has anything to give back.
      if (worker) post({ kind: 'collect' });
    },
    close(id) {
      const feed = feedOf(id);
      if (!feed) return;
      feed.close();
      feeds.delete(id);
      post({ kind: 'close', id });
    },
    async dispose() {
      if (disposed) return;
      for (const feed of feeds.values()) feed.close();
      feeds.clear();
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
    __unparsedForTest: (id) => feeds.get(id)?.unparsed ?? 0,
  };
}

/**
 * Consecutive writes to one mirror become one message part (fewer parse callbacks in the
 * worker), always a copy: the feed holds the shell's own buffers, which may share memory
 * with others (Node's buffer pool) and must never be transferred away.
 */
function mergeWrites(ops: MirrorOp[]): MirrorOp[] {
  const merged: MirrorOp[] = [];
  let run: Uint8Array[] = [];
  const endRun = () => {
    const last = merged[merged.length - 1];
    if (run.length > 0 && last?.kind === 'write') last.data = concat(run);
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
