/**
 * One window (client) following one session's zone. Output is delivered once
 * per window however many of its blocks show the session; each block acks
 * what it painted, and the zone hears the slowest block's progress, so flow
 * control holds back the shell for the pane that is furthest behind.
 */
import type { ZoneChunk, ZoneSubscriber } from '../terminals/zone';

/** Where a follower's output goes: one window or socket. */
export type SessionClient = {
  readonly id: string;
  output(zone: string, offset: number, data: Buffer): void;
};

export class SessionFollower implements ZoneSubscriber {
  /** Stream position each block has acked up to. */
  private readonly blocks = new Map<string, number>();
  private position: number;

  constructor(
    readonly client: SessionClient,
    private readonly zoneId: string,
    start: number,
    /** Tells the zone how many more bytes the slowest block has painted. */
    private readonly ack: (bytes: number) => void,
    /** The zone's delivered end: a block can't have painted past it. */
    private readonly end: () => number,
  ) {
    this.position = start;
  }

  get id(): string {
    return this.client.id;
  }

  deliver(chunk: ZoneChunk): void {
    this.client.output(this.zoneId, chunk.offset, chunk.data);
  }

  /** A block of this window starts showing the zone from `offset`. */
  addBlock(blockId: string, offset: number): void {
    this.blocks.set(blockId, Math.max(offset, this.position));
  }

  /** Returns whether any block of this window still shows the zone. */
  removeBlock(blockId: string): boolean {
    this.blocks.delete(blockId);
    this.advance();
    return this.blocks.size > 0;
  }

  hasBlock(blockId: string): boolean {
    return this.blocks.has(blockId);
  }

  get blockIds(): string[] {
    return [...this.blocks.keys()];
  }

  ackBlock(blockId: string, bytes: number): void {
    const at = this.blocks.get(blockId);
    if (at === undefined) return;
    // Bytes a block skipped before its snapshot offset count as acked; never past the end.
    this.blocks.set(blockId, Math.min(at + bytes, this.end()));
    this.advance();
  }

  private advance(): void {
    if (this.blocks.size === 0) return;
    const slowest = Math.min(...this.blocks.values());
    if (slowest > this.position) {
      this.ack(slowest - this.position);
      this.position = slowest;
    }
  }
}
