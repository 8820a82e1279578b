/**
 * A zone: one terminal output stream, addressed by id, that any number of
 * subscribers (windows, WebSocket clients) follow.
 *
 * - Output is batched on the leading edge: a zone that has been quiet for
 *   `batchMs` delivers at once (end of the current I/O turn), so an echoed
 *   keystroke is not delayed; sustained output goes out at most once per
 *   `batchMs` (or at a size cap), about one message per painted frame.
 * - Every byte has a stream offset. Attach returns the replay snapshot and the
 *   offset it ends at, then every later chunk from exactly there: all of it
 *   happens synchronously, so no chunk can fall between snapshot and follow.
 * - Flow control by acknowledgement: each subscriber acks bytes it painted;
 *   when any subscriber is more than `highWater` behind, the producer is
 *   paused, and resumed when all are under `lowWater` again. A consumer that
 *   is not a subscriber (the session's mirror) holds the producer back with
 *   `hold`, by its own byte bound.
 */
import { ReplayBuffer } from './replay-buffer';

export type ZoneChunk = { offset: number; data: Buffer };

export type ZoneSubscriber = {
  readonly id: string;
  deliver(chunk: ZoneChunk): void;
};

export type ZoneOptions = {
  replayBytes: number;
  /** Minimum spacing of deliveries while output is sustained. */
  batchMs: number;
  batchBytes: number;
  highWater: number;
  lowWater: number;
  /** Called with true to pause the producer, false to resume it. */
  onPressure(paused: boolean): void;
};

export const DEFAULT_ZONE_OPTIONS: Omit<ZoneOptions, 'onPressure'> = {
  replayBytes: 512 * 1024,
  batchMs: 16,
  batchBytes: 256 * 1024,
  highWater: 1024 * 1024,
  lowWater: 256 * 1024,
};

/** TETHER_ZONE_<OPTION> (e.g. TETHER_ZONE_HIGH_WATER=2097152) overrides a default, for tuning. */
export function zoneOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Partial<typeof DEFAULT_ZONE_OPTIONS> {
  const out: Partial<Record<keyof typeof DEFAULT_ZONE_OPTIONS, number>> = {};
  for (const key of Object.keys(DEFAULT_ZONE_OPTIONS) as (keyof typeof DEFAULT_ZONE_OPTIONS)[]) {
    const name = `TETHER_ZONE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const value = Number(env[name]);
    if (env[name] && Number.isFinite(value) && value >= 0) out[key] = value;
  }
  return out;
}

type Subscription<S extends ZoneSubscriber> = { subscriber: S; unacked: number };

export class Zone<S extends ZoneSubscriber = ZoneSubscriber> {
  private readonly replay: ReplayBuffer;
  private readonly subscriptions = new Map<string, Subscription<S>>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private cancelFlush: (() => void) | undefined;
  private lastFlush = -Infinity;
  private end = 0;
  private paused = false;
  /** Consumers other than subscribers that hold the producer back (see `hold`). */
  private readonly holds = new Set<string>();
  private disposed = false;

  constructor(
    readonly id: string,
    private readonly options: ZoneOptions,
  ) {
    this.replay = new ReplayBuffer(options.replayBytes);
  }

  /** Offset just past the last byte delivered to subscribers. */
  get offset(): number {
    return this.end;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  subscribers(): S[] {
    return [...this.subscriptions.values()].map((entry) => entry.subscriber);
  }

  push(data: Buffer): void {
    if (this.disposed || data.byteLength === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.byteLength;
    if (this.pendingBytes >= this.options.batchBytes) this.flush();
    else this.cancelFlush ??= this.scheduleFlush();
  }

  /** Deliver whatever is batched now (on exit, before a snapshot). */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    if (this.pendingBytes === 0) return;
    this.lastFlush = Date.now();
    const data =
      this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const chunk = { offset: this.end, data };
    this.end += data.byteLength;
    this.replay.append(data);
    for (const entry of this.subscriptions.values()) {
      entry.unacked += data.byteLength;
      entry.subscriber.deliver(chunk);
    }
    this.updatePressure();
  }

  /** Follow the zone: returns the repaint and the offset live chunks continue from. */
  attach(subscriber: S): { snapshot: Buffer; offset: number } {
    this.flush();
    this.subscriptions.set(subscriber.id, { subscriber, unacked: 0 });
    this.updatePressure();
    return { snapshot: this.replay.contents(), offset: this.end };
  }

  /** The repaint and the offset it ends at, without following (a second block of a follower). */
  replaySnapshot(): { snapshot: Buffer; offset: number } {
    this.flush();
    return { snapshot: this.replay.contents(), offset: this.end };
  }

  detach(subscriberId: string): boolean {
    const removed = this.subscriptions.delete(subscriberId);
    if (removed) this.updatePressure();
    return removed;
  }

  has(subscriberId: string): boolean {
    return this.subscriptions.has(subscriberId);
  }

  ack(subscriberId: string, bytes: number): void {
    const entry = this.subscriptions.get(subscriberId);
    if (!entry) return;
    entry.unacked = Math.max(0, entry.unacked - bytes);
    this.updatePressure();
  }

  /**
   * Another consumer of the stream (the mirror) is full: the producer stays paused while
   * any consumer holds it, whatever the subscribers' acks say.
   */
  hold(consumer: string, held: boolean): void {
    if (this.disposed) return;
    const changed = held ? !this.holds.has(consumer) : this.holds.has(consumer);
    if (!changed) return;
    if (held) this.holds.add(consumer);
    else this.holds.delete(consumer);
    this.updatePressure();
  }

  /** Forget the repaint (a restarted shell starts on a clean screen); offsets go on. */
  clearReplay(): void {
    this.flush();
    this.replay.clear();
  }

  dispose(): void {
    this.disposed = true;
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    this.subscriptions.clear();
    this.holds.clear();
    this.pending = [];
    this.pendingBytes = 0;
    if (this.paused) {
      this.paused = false;
      this.options.onPressure(false);
    }
  }

  private scheduleFlush(): () => void {
    const wait = this.lastFlush + this.options.batchMs - Date.now();
    if (wait <= 0) {
      // Quiet zone: deliver now, after the reads that arrived in this same turn.
      const immediate = setImmediate(() => this.flush());
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => this.flush(), wait);
    return () => clearTimeout(timer);
  }

  private updatePressure(): void {
    let behind = 0;
    for (const entry of this.subscriptions.values()) behind = Math.max(behind, entry.unacked);
    const held = this.holds.size > 0;
    if (!this.paused && (held || behind > this.options.highWater)) {
      this.paused = true;
      this.options.onPressure(true);
    } else if (this.paused && !held && behind < this.options.lowWater) {
      this.paused = false;
      this.options.onPressure(false);
    }
  }
}
