/**
 * Worker-thread entry holding every session's mirror, so parsing terminal
 * output never blocks the main event loop. Applies batches of ops in order and
 * answers snapshot/tail requests by number. Started by the mirror pool.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { collectSoon, fullCollector } from '../../flood-memory';
import { mallocTrimmer } from '../../malloc-trim';
import { Mirror } from './mirror';
import type { MirrorOp, MirrorReply, MirrorTails, MirrorWorkerData } from './mirror-protocol';

if (!parentPort) throw new Error('mirror-worker.ts runs as a worker thread (see mirror-pool.ts)');
const port: MessagePort = parentPort;

const { scrollback } = workerData as MirrorWorkerData;
const mirrors = new Map<string, Mirror>();
/** Parsed bytes per mirror not yet reported; sent once per turn of the event loop. */
let parsed: Record<string, number> | null = null;

port.on('message', (batch: MirrorOp[]) => {
  for (const op of batch) apply(op);
});

const collect = fullCollector();
const trim = mallocTrimmer();
/**
 * A mirror reset, closed or repainted from tmux leaves its old screen and scrollback,
 * megabytes of line buffers, to a full collection that V8 would run only after several such: during a
 * flood of eight sessions the worker grew to 75 MB of heap and 80 MB of buffers (measured).
 */
const retired = collectSoon(() => {
  collect?.();
  trim?.();
});

function apply(op: MirrorOp): void {
  if (op.kind === 'tails') return tails(op);
  if (op.kind === 'collect') {
    // Its screens' lines are malloc'ed buffers: what the collection frees goes back too.
    collect?.();
    return trim?.();
  }
  if (op.kind === 'open') {
    mirrors.get(op.id)?.close();
    const onParsed = (bytes: number) => report(op.id, bytes);
    const onDiscarded = () => retired.request();
    mirrors.set(op.id, new Mirror({ ...op, scrollback, onParsed, onDiscarded }));
    return;
  }
  const mirror = mirrors.get(op.id);
  if (!mirror) {
    // Writes may race a close; only requests need an answer.
    if (op.kind === 'snapshot' || op.kind === 'tail') {
      fail(op.request, new Error(`no session mirror '${op.id}'`));
    }
    return;
  }
  switch (op.kind) {
    case 'write':
      return mirror.write(op.data);
    case 'resize':
      return mirror.resize(op.cols, op.rows);
    case 'reset':
      return mirror.reset();
    case 'close':
      // Forgotten now, so later requests fail; steps already queued still run.
      mirrors.delete(op.id);
      return mirror.close();
    case 'snapshot':
      return mirror.snapshot(
        (value) => send({ kind: 'reply', request: op.request, value }),
        (error) => fail(op.request, error),
      );
    case 'tail':
      return mirror.tail(
        op.count,
        (value) => send({ kind: 'reply', request: op.request, value }),
        (error) => fail(op.request, error),
      );
    default:
      op satisfies never;
  }
}

/** One reply with every mirror's tail that is ready within the wait (a busy one may not be). */
function tails(op: Extract<MirrorOp, { kind: 'tails' }>): void {
  const value: MirrorTails = {};
  const known = op.ids.flatMap((id) => {
    const mirror = mirrors.get(id);
    return mirror ? [{ id, mirror }] : [];
  });
  // Counted before asking: an idle mirror answers at once, inside the loop below.
  let waiting = known.length;
  let sent = false;
  const finish = () => {
    if (sent) return;
    sent = true;
    clearTimeout(timer);
    send({ kind: 'reply', request: op.request, value });
  };
  const timer = setTimeout(finish, op.waitMs);
  const settle = () => {
    waiting -= 1;
    if (waiting === 0) finish();
  };
  if (waiting === 0) finish();
  for (const { id, mirror } of known) {
    mirror.tail(
      op.count,
      (lines) => {
        if (!sent) value[id] = lines;
        settle();
      },
      settle,
    );
  }
}

function report(id: string, bytes: number): void {
  if (parsed === null) {
    parsed = {};
    setImmediate(() => {
      const counts = parsed!;
      parsed = null;
      send({ kind: 'parsed', bytes: counts });
    });
  }
  parsed[id] = (parsed[id] ?? 0) + bytes;
}

function fail(request: number, error: unknown): void {
  send({ kind: 'failure', request, message: error instanceof Error ? error.message : `${error}` });
}

function send(reply: MirrorReply): void {
  port.postMessage(reply);
}
