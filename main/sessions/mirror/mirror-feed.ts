/**
 * One session's mirror as the main thread sees it: output not yet handed to
 * the worker, and output handed over and not yet parsed. It decides when the
 * worker parses (decision 0011):
 *
 * - **Lazily.** Output waits here until the stream has been quiet for
 *   `quietMs`, a snapshot or a peek needs the mirror, or `lazyBytes` wait. A
 *   burst a page is watching is parsed once by the page, and by the mirror
 *   only once it is over.
 * - **A shell that keeps its own screen (tmux) is never parsed twice during a
 *   flood.** Past `lazyBytes`, its output is let go and the mirror is rebuilt
 *   from tmux's screen when it is next needed or the flood ends: the repaint
 *   lands at its exact place in the stream, so the mirror equals one that
 *   parsed every byte.
 * - **Any other shell (a pty) is parsed in full, bounded.** When more than
 *   `highWater` bytes wait here and in the worker, the shell is held back
 *   (the zone pauses it) until the worker is under `lowWater`: the mirror is
 *   never wrong and its memory never grows with the flood.
 *
 * `position` counts the stream's bytes (the zone's offsets: both are fed the
 * same bytes from the start), so a snapshot says where it ends.
 */

/** One step for the worker's mirror, in stream order. */
export type FeedOp =
  | { kind: 'write'; data: Uint8Array }
  | { kind: 'resize'; cols: number; rows: number }
  | { kind: 'reset' };

/**
 * A shell that can paint its own screen again (tmux): `recapture` hands the repaint to
 * `replace` at the point of the output stream it describes, between two output events.
 */
export type MirrorSource = {
  recapture(replace: (repaint: Buffer) => void): Promise<void>;
};

export type FeedLimits = {
  /** Output kept unparsed while it flows. */
  lazyBytes: number;
  /** Unparsed output (here and in the worker) past which the shell is held back. */
  highWater: number;
  /** ...and under which it is let go again. */
  lowWater: number;
  /** The stream counts as quiet after this long without output. */
  quietMs: number;
  /**
   * ...and, for a mirror that let output go, as over: it is rebuilt from the shell's screen.
   * Longer, since a rebuild is a capture of the whole scrollback: a flood through eight busy
   * sessions has many short gaps, and a rebuild in each was wasted (36 a minute, measured).
   */
  rebuildQuietMs?: number;
};

export const DEFAULT_FEED_LIMITS: FeedLimits = {
  lazyBytes: 1024 * 1024,
  highWater: 4 * 1024 * 1024,
  lowWater: 2 * 1024 * 1024,
  quietMs: 150,
  rebuildQuietMs: 1_000,
};

export type FeedHooks = {
  /** Hand steps to the worker, in order. */
  post(ops: FeedOp[]): void;
  /** Hold the shell back (true) or let it go (false). */
  pressure(held: boolean): void;
  /** Output was let go (`bytes`) or the shell held back: for the log's digest. */
  behind(what: 'skipped' | 'held', bytes: number): void;
  /** A rebuild from the shell's screen failed (the mirror stays behind until the next try). */
  rebuildFailed(error: unknown): void;
};

export class MirrorFeed {
  private ops: FeedOp[] = [];
  private queuedBytes = 0;
  private inWorker = 0;
  private held = false;
  /** Output was let go: the worker's mirror is behind until rebuilt from the source. */
  private stale = false;
  private rebuilding: Promise<void> | null = null;
  private source: MirrorSource | null = null;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Bumped by a reset or a new source: a repaint asked for before belongs to the past. */
  private generation = 0;
  /** Bytes of the stream so far (equal to the zone's offset after them). */
  private written = 0;

  constructor(
    /** The size the mirror has once the queued steps ran (to open it again elsewhere). */
    public size: { cols: number; rows: number },
    private readonly hooks: FeedHooks,
    private readonly limits: FeedLimits = DEFAULT_FEED_LIMITS,
  ) {}

  get position(): number {
    return this.written;
  }

  /** Bytes held here or in the worker and not yet parsed. */
  get unparsed(): number {
    return this.queuedBytes + this.inWorker;
  }

  get isStale(): boolean {
    return this.stale;
  }

  /** The shell now driving the session, and whether it can repaint its own screen. */
  setSource(source: MirrorSource | null): void {
    if (source === this.source) return;
    this.source = source;
    this.newGeneration();
  }

  write(data: Uint8Array): void {
    if (this.closed || data.byteLength === 0) return;
    this.written += data.byteLength;
    this.armQuiet();
    if (this.stale) {
      this.hooks.behind('skipped', data.byteLength);
      return;
    }
    this.ops.push({ kind: 'write', data });
    this.queuedBytes += data.byteLength;
    if (this.queuedBytes < this.limits.lazyBytes) return this.updatePressure();
    if (this.source) {
      this.letGo();
      // Now stale: the rebuild waits for the longer quiet.
      this.armQuiet();
    } else {
      this.flush();
    }
  }

  resize(cols: number, rows: number): void {
    if (this.closed) return;
    this.size = { cols, rows };
    this.ops.push({ kind: 'resize', cols, rows });
  }

  /** A fresh, empty screen (a restarted shell): nothing before it matters any more. */
  reset(): void {
    if (this.closed) return;
    this.dropQueued();
    this.stale = false;
    this.newGeneration();
    this.ops.push({ kind: 'reset' });
  }

  /** The worker parsed `bytes` of what it was given. */
  parsed(bytes: number): void {
    this.inWorker = Math.max(0, this.inWorker - bytes);
    this.updatePressure();
  }

  /**
   * The worker died with this mirror: it starts again empty, so it is behind until rebuilt
   * from the shell's screen (a shell that cannot repaint answers from the replay instead).
   */
  workerLost(): void {
    this.inWorker = 0;
    this.dropQueued();
    this.stale = true;
    this.updatePressure();
  }

  /**
   * Resolves once the mirror no longer lags behind the stream (rebuilt from the shell's
   * screen if output was let go); the caller then flushes and asks in one synchronous step.
   * Rejects if the rebuild fails or cannot be done.
   */
  async catchUp(): Promise<void> {
    if (!this.stale || this.closed) return;
    await this.rebuild();
    if (this.stale) throw new Error('the session mirror could not be rebuilt from its shell');
  }

  /** Hand every queued step to the worker now. */
  flush(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    if (this.ops.length === 0 || this.closed) return;
    const ops = this.ops;
    this.inWorker += this.queuedBytes;
    this.ops = [];
    this.queuedBytes = 0;
    this.hooks.post(ops);
    this.updatePressure();
  }

  close(): void {
    clearTimeout(this.quietTimer);
    this.closed = true;
    this.dropQueued();
    if (this.held) {
      this.held = false;
      this.hooks.pressure(false);
    }
  }

  private armQuiet(): void {
    clearTimeout(this.quietTimer);
    const wait = this.stale
      ? (this.limits.rebuildQuietMs ?? this.limits.quietMs)
      : this.limits.quietMs;
    this.quietTimer = setTimeout(() => this.quiet(), wait);
    this.quietTimer.unref?.();
  }

  /** The flood is over: catch up now, while nobody waits for it. */
  private quiet(): void {
    this.quietTimer = undefined;
    if (!this.stale) return this.flush();
    this.rebuild().then(
      () => this.flush(),
      () => undefined,
    );
  }

  /** Lets go of the queued output: the source's repaint will stand for it. */
  private letGo(): void {
    this.hooks.behind('skipped', this.queuedBytes);
    this.dropQueued();
    this.stale = true;
  }

  /** Drops queued writes, keeping sizes and resets (they still apply, in order). */
  private dropQueued(): void {
    this.ops = this.ops.filter((op) => op.kind !== 'write');
    this.queuedBytes = 0;
  }

  private rebuild(): Promise<void> {
    if (this.rebuilding) return this.rebuilding;
    const source = this.source;
    if (!source) {
      // The shell that could repaint is gone (a restart on a pty): only a reset helps.
      return Promise.reject(new Error('the mirror skipped output and its shell cannot repaint'));
    }
    const generation = this.generation;
    // A throw from the source (a bad pane id) is a failed rebuild too, never an exception here.
    const rebuilt = Promise.resolve()
      .then(() =>
        source.recapture((repaint) => {
          if (generation === this.generation) this.replaced(repaint);
        }),
      )
      .catch((error: unknown) => {
        this.hooks.rebuildFailed(error);
        throw error;
      })
      .finally(() => {
        if (this.rebuilding === rebuilt) this.rebuilding = null;
      });
    this.rebuilding = rebuilt;
    return rebuilt;
  }

  /** The source's repaint, at its place in the stream: it stands for everything before it. */
  private replaced(repaint: Buffer): void {
    if (this.closed) return;
    this.dropQueued();
    this.stale = false;
    this.ops.push({ kind: 'reset' }, { kind: 'write', data: repaint });
    this.queuedBytes += repaint.byteLength;
    // Parsed now: a big repaint must not count toward the lazy bound and be let go again.
    this.flush();
  }

  /** A reset or a new shell: a repaint asked for before belongs to the past, and is not awaited. */
  private newGeneration(): void {
    this.generation += 1;
    this.rebuilding = null;
  }

  private updatePressure(): void {
    const unparsed = this.unparsed;
    if (!this.held && unparsed > this.limits.highWater) {
      this.held = true;
      this.hooks.behind('held', unparsed);
      this.hooks.pressure(true);
    } else if (this.held && unparsed < this.limits.lowWater) {
      this.held = false;
      this.hooks.pressure(false);
    }
  }
}
