/**
 * Gives back the memory a flood used once it is over. Node runs V8's garbage
 * collector only when JavaScript allocates, so after a flood the buffers it
 * went through (tens of MB outside the heap, in this process and the mirror
 * worker) stay until something allocates again, which an idle terminal app
 * may not do for hours. So: when at least `afterBytes` of output went by and
 * then none for `quietMs`, run a full collection here and in the mirror
 * worker, at most once per `minIntervalMs` (decision 0011). A collection of
 * this process's heap takes tens of milliseconds; nobody is typing into a
 * flood that just ended.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type FloodMemoryOptions = {
  afterBytes?: number;
  quietMs?: number;
  minIntervalMs?: number;
  /** Also collect elsewhere (the mirror worker). */
  alsoCollect?: () => void;
  /** Told after each collection (for the log). */
  collected?: (bytesSince: number) => void;
};

/** V8's full, compacting collection, or null where it cannot be reached. */
export function fullCollector(): (() => void) | null {
  try {
    // The flag only makes `gc` visible to contexts created from now on, such as this one.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    return null;
  }
}

export class FloodMemory {
  private bytes = 0;
  private heard = false;
  private lastCollection = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly collect = fullCollector();

  constructor(private readonly options: FloodMemoryOptions = {}) {
    const quietMs = options.quietMs ?? 2_000;
    // Checked on a tick, so output (the hot path) only bumps two fields.
    this.timer = setInterval(() => this.tick(), quietMs);
    this.timer.unref?.();
  }

  output(bytes: number): void {
    this.bytes += bytes;
    this.heard = true;
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.heard) {
      // Output since the last tick: the flood, if it is one, is not over.
      this.heard = false;
      return;
    }
    const { afterBytes = 32 * 1024 * 1024, minIntervalMs = 30_000 } = this.options;
    if (this.bytes < afterBytes) return;
    const now = Date.now();
    if (now - this.lastCollection < minIntervalMs) return;
    this.lastCollection = now;
    const bytes = this.bytes;
    this.bytes = 0;
    this.collect?.();
    this.options.alsoCollect?.();
    this.options.collected?.(bytes);
  }
}
