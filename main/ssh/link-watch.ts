/**
 * Stall detection for one SSH link: nothing received from the server for
 * stallAfterMs means the link is stalled (the network is down, or the server
 * hangs); bytes arriving again mean it is back. The server answers ssh2's
 * keepalives, so a healthy idle link receives something every keepalive
 * interval: stallAfterMs is a little more than that.
 *
 * It polls the link's lastReceivedAt(); clock and timers are injectable so
 * it can be tested without waiting.
 */

export type LinkWatchOptions = {
  /** When bytes last arrived (ms, same clock as now). */
  lastReceivedAt: () => number;
  stallAfterMs: number;
  onStall: () => void;
  onResume: () => void;
  /** How often to look; default min(1000, stallAfterMs / 3). */
  pollMs?: number;
  now?: () => number;
  setInterval?: (callback: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
};

export class LinkWatch {
  private stalledNow = false;
  private handle: unknown;
  private readonly now: () => number;
  private readonly clear: (handle: unknown) => void;

  constructor(private readonly options: LinkWatchOptions) {
    this.now = options.now ?? Date.now;
    this.clear =
      options.clearInterval ??
      ((handle) => clearInterval(handle as ReturnType<typeof setInterval>));
    const every = options.pollMs ?? Math.max(10, Math.min(1000, options.stallAfterMs / 3));
    const start =
      options.setInterval ??
      ((callback: () => void, ms: number) => {
        const timer = setInterval(callback, ms);
        timer.unref?.();
        return timer;
      });
    this.handle = start(() => this.check(), every);
  }

  get stalled(): boolean {
    return this.stalledNow;
  }

  /** Look now (the poll calls this). */
  check(): void {
    if (this.handle === undefined) return;
    const silentFor = this.now() - this.options.lastReceivedAt();
    if (!this.stalledNow && silentFor >= this.options.stallAfterMs) {
      this.stalledNow = true;
      this.options.onStall();
    } else if (this.stalledNow && silentFor < this.options.stallAfterMs) {
      this.stalledNow = false;
      this.options.onResume();
    }
  }

  stop(): void {
    if (this.handle === undefined) return;
    this.clear(this.handle);
    this.handle = undefined;
  }
}
