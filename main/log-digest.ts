/**
 * Logs a condition that repeats (a mirror behind during a flood, tmux
 * repainting for a page that lags) once when it starts, then at most one
 * summary per window with how often it happened meanwhile, so a flood of
 * thousands of events writes a handful of lines. One digest per kind of
 * event; `key` tells apart who it happened to (a session).
 */
import type { Logger } from './log';

export type DigestLevel = 'debug' | 'info' | 'warn';

type Entry = { count: number; timer: ReturnType<typeof setTimeout> | undefined };

export class LogDigest {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly log: Pick<Logger, DigestLevel>,
    private readonly level: DigestLevel,
    /** The line for the first event of a window: what happened, to whom. */
    private readonly first: (key: string, detail: string) => string,
    /** The summary after a window with more events: `count` of them in `seconds`. */
    private readonly summary: (key: string, count: number, seconds: number) => string,
    private readonly windowMs = 10_000,
  ) {}

  note(key: string, detail = ''): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.count += 1;
      return;
    }
    this.log[this.level](this.first(key, detail));
    this.open(key);
  }

  /** Stop the timers (the core is shutting down); counts not yet written are dropped. */
  dispose(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private open(key: string): void {
    const entry: Entry = { count: 0, timer: undefined };
    entry.timer = setTimeout(() => this.close(key, entry), this.windowMs);
    // A summary owed must not keep the process alive.
    entry.timer.unref?.();
    this.entries.set(key, entry);
  }

  private close(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (entry.count === 0) return;
    this.log[this.level](this.summary(key, entry.count, Math.round(this.windowMs / 1000)));
    // Still happening: the next window sums up the next events, without another "first" line.
    this.open(key);
  }
}
