/**
 * Gives back the memory a flood used once it is over. Node runs V8's garbage
 * collector only when JavaScript allocates, so after a flood the buffers it
 * went through (tens of MB outside the heap, in this process and the mirror
 * worker) stay until something allocates again, which an idle terminal app
 * may not do for hours. So: when at least `afterBytes` of output went by and
 * then none for `quietMs`, run a full collection here and in the mirror
 * worker, at most once per `minIntervalMs` (decision 0011). A collection of
 * this process's heap takes tens of milliseconds; nobody is typing into a
 * flood that just ended. It collects twice more, 4 s apart, while all stays
 * quiet: V8 returns emptied pages to the system over several collections.
 *
 * During a flood, every `youngEvery` bytes (4 MiB) of output it also runs a young
 * (scavenge) collection here, which takes about a millisecond. Every chunk of
 * output is a few buffers outside the heap (the read, the batch, the wire
 * frame, the mirror's copy) whose small handles die young; but this process
 * allocates too little on its heap for V8 to scavenge often, and V8 counts
 * memory outside the heap toward a full collection only every 64 MB or so.
 * So without this, up to ~64 MB of dead buffers pile up during any flood.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type FloodMemoryOptions = {
  /** Output between two young collections during a flood. */
  youngEvery?: number;
  afterBytes?: number;
  /** Output per tick that still counts as quiet (default 64 KiB per 2 s). */
  quietBytes?: number;
  quietMs?: number;
  minIntervalMs?: number;
  /** Collections again after the first, while still quiet, this far apart (V8 gives pages back over several). */
  followUps?: number;
  followUpMs?: number;
  /** Also collect elsewhere (the mirror worker). */
  alsoCollect?: () => void;
  /**
   * Give what the C allocator freed back to the system (mallocTrimmer): after every full
   * collection, and during a flood every `trimEvery` bytes of output (default 4 MiB, with
   * the young collection then; checked when one runs, so a multiple of `youngEvery`).
   */
  trim?: (() => void) | null;
  trimEvery?: number;
  /** Told after each collection (for the log). */
  collected?: (bytesSince: number) => void;
};

type Gc = (options?: { type: 'major' | 'minor' }) => void;

function v8Gc(): Gc | null {
  try {
    // The flag only makes `gc` visible to contexts created from now on, such as this one.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : null;
  } catch {
    return null;
  }
}

/** V8's full, compacting collection, or null where it cannot be reached. */
export function fullCollector(): (() => void) | null {
  const gc = v8Gc();
  return gc && (() => gc());
}

/** V8's young-generation collection (a scavenge), or null where it cannot be reached. */
export function youngCollector(): (() => void) | null {
  const gc = v8Gc();
  return gc && (() => gc({ type: 'minor' }));
}

/** Output per tick (2 s) that still counts as quiet for the collections after a flood. */
const QUIET_BYTES = 64 * 1024;

export class FloodMemory {
  private bytes = 0;
  private sinceYoung = 0;
  private sinceTrim = 0;
  /** Output since the last tick. */
  private tickBytes = 0;
  private youngPending = false;
  private lastCollection = 0;
  private followUpsLeft = 0;
  private lastFollowUp = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly collect = fullCollector();
  private readonly collectYoung = youngCollector();

  constructor(private readonly options: FloodMemoryOptions = {}) {
    const quietMs = options.quietMs ?? 2_000;
    // Checked on a tick, so output (the hot path) only bumps two fields.
    this.timer = setInterval(() => this.tick(), quietMs);
    this.timer.unref?.();
  }

  output(bytes: number): void {
    this.bytes += bytes;
    this.tickBytes += bytes;
    this.sinceYoung += bytes;
    this.sinceTrim += bytes;
    if (this.sinceYoung >= (this.options.youngEvery ?? 4 * 1024 * 1024) && !this.youngPending) {
      this.sinceYoung = 0;
      const trim = this.sinceTrim >= (this.options.trimEvery ?? 4 * 1024 * 1024);
      if (trim) this.sinceTrim = 0;
      // After this turn: the chunk being handled now is still live, and a buffer alive at a
      // scavenge is kept until a full collection if it survives another one.
      this.youngPending = true;
      setImmediate(() => {
        this.youngPending = false;
        this.collectYoung?.();
        if (trim) this.options.trim?.();
      });
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const tickBytes = this.tickBytes;
    this.tickBytes = 0;
    if (tickBytes > (this.options.quietBytes ?? QUIET_BYTES)) {
      // Output since the last tick: the flood, if it is one, is not over. A trickle (a clock
      // or htop in another session) still counts as quiet.
      this.followUpsLeft = 0;
      return;
    }
    const { afterBytes = 32 * 1024 * 1024, minIntervalMs = 30_000 } = this.options;
    const now = Date.now();
    if (this.followUpsLeft > 0 && now - this.lastFollowUp >= (this.options.followUpMs ?? 4_000)) {
      // One full collection frees the garbage, but V8 gives its emptied pages back to the
      // system over several (measured: the worker 30 s after a flood, +31 MB over idle
      // after one collection, +9 MB when collected every 5 s).
      this.followUpsLeft -= 1;
      this.lastFollowUp = now;
      this.collectAll();
      return;
    }
    if (this.bytes < afterBytes) return;
    if (now - this.lastCollection < minIntervalMs) return;
    this.lastCollection = now;
    this.lastFollowUp = now;
    this.followUpsLeft = this.options.followUps ?? 2;
    const bytes = this.bytes;
    this.bytes = 0;
    this.collectAll();
    this.options.collected?.(bytes);
  }

  private collectAll(): void {
    this.collect?.();
    this.options.trim?.();
    this.options.alsoCollect?.();
  }
}

/**
 * A collection soon after something big became garbage, without running one per event: the
 * first request waits `delayMs` (more garbage of the same burst joins it), and collections
 * are at least `minIntervalMs` apart (a request in between is served when that time is up).
 */
export function collectSoon(
  collect: () => void,
  { delayMs = 500, minIntervalMs = 2_000 }: { delayMs?: number; minIntervalMs?: number } = {},
): { request(): void; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = -Infinity;
  return {
    request() {
      if (timer) return;
      const wait = Math.max(delayMs, last + minIntervalMs - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        collect();
      }, wait);
      timer.unref?.();
    },
    dispose() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
