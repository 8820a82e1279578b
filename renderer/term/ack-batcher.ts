/**
 * Batches acknowledgements of painted output bytes. Main pauses a shell when
 * too many bytes are unacknowledged, so every byte handed to `add` is sent
 * eventually (at the latest on `flush` / `dispose`); batching only keeps one
 * request per chunk from flooding the channel.
 */

/** Acknowledge as soon as this many bytes are pending... */
export const ACK_BYTES = 32 * 1024;
/** ...or this long after the first pending byte, whichever comes first. */
export const ACK_DELAY_MS = 20;

export type AckLimits = { bytes: number; delayMs: number };

export class AckBatcher {
  private pending = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (bytes: number) => void,
    private readonly limits: AckLimits = { bytes: ACK_BYTES, delayMs: ACK_DELAY_MS },
  ) {}

  /** Bytes that are now painted and may be acknowledged. */
  add(bytes: number): void {
    if (!(bytes > 0)) return;
    this.pending += bytes;
    if (this.pending >= this.limits.bytes) {
      this.flush();
    } else if (this.timer === undefined) {
      // The delay counts from the first unacknowledged byte, not the latest,
      // so a steady trickle can't postpone the ack forever.
      this.timer = setTimeout(() => this.flush(), this.limits.delayMs);
    }
  }

  /** Send whatever is pending now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending === 0) return;
    const bytes = this.pending;
    this.pending = 0;
    this.send(bytes);
  }

  /** Drop what is pending without sending it: the zone is gone, nobody is owed the bytes. */
  cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pending = 0;
  }

  /** Flush, so bytes owed to main are never dropped with their owner. */
  dispose(): void {
    this.flush();
  }
}
