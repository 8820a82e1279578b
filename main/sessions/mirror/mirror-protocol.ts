/**
 * The messages between the mirror pool (main thread) and the mirror worker,
 * declared once so both sides agree. Only plain data crosses the thread line.
 */

/** What the worker is started with (as `workerData`). */
export type MirrorWorkerData = {
  scrollback: number;
};

export type MirrorSnapshot = { data: string; cols: number; rows: number };

/** One step for one mirror; the worker applies them in the order they were posted. */
export type MirrorOp =
  | { kind: 'open'; id: string; cols: number; rows: number }
  | { kind: 'write'; id: string; data: Uint8Array }
  | { kind: 'resize'; id: string; cols: number; rows: number }
  | { kind: 'reset'; id: string }
  | { kind: 'close'; id: string }
  /** Not for one mirror: run a full garbage collection in the worker (a flood is over). */
  | { kind: 'collect' }
  | { kind: 'snapshot'; id: string; request: number }
  | { kind: 'tail'; id: string; count: number; request: number }
  /** Tails of many mirrors in one reply; a mirror that is unknown or not done within waitMs is left out. */
  | { kind: 'tails'; ids: string[]; count: number; waitMs: number; request: number };

/** Last lines by mirror id. */
export type MirrorTails = Record<string, string[]>;

/** The main thread posts ops in batches: one message per turn of its event loop. */
export type MirrorBatch = MirrorOp[];

export type MirrorReply =
  | { kind: 'reply'; request: number; value: MirrorSnapshot | string[] | MirrorTails }
  | { kind: 'failure'; request: number; message: string }
  /** Bytes of output each mirror parsed since the last such message. */
  | { kind: 'parsed'; bytes: Record<string, number> };
