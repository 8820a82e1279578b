/**
 * The last N bytes of a stream, kept to repaint a terminal that attaches late
 * (a reloaded page, a second window). When trimming, it cuts at a line break
 * so a repaint rarely starts inside an escape sequence or a UTF-8 character.
 * It holds about N bytes of memory, not N bytes of views: a chunk that is a
 * small view of a bigger buffer (a parser's slice of a read) is copied, and so
 * is what a trim leaves of a chunk, so no larger buffer stays alive for it.
 */
export class ReplayBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly capacity: number) {}

  get byteLength(): number {
    return this.size;
  }

  /** Memory the kept chunks hold alive (their underlying buffers, each counted once). */
  get heldBytes(): number {
    const buffers = new Set(this.chunks.map((chunk) => chunk.buffer));
    let held = 0;
    for (const buffer of buffers) held += buffer.byteLength;
    return held;
  }

  append(data: Buffer): void {
    if (data.byteLength === 0) return;
    this.chunks.push(compact(data));
    this.size += data.byteLength;
    if (this.size > this.capacity) this.trim();
  }

  contents(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  private trim(): void {
    let excess = this.size - this.capacity;
    while (excess > 0) {
      const first = this.chunks[0];
      if (!first) break;
      if (first.byteLength <= excess) {
        this.chunks.shift();
        this.size -= first.byteLength;
        excess -= first.byteLength;
        continue;
      }
      // Cut just after the next line break past the excess, if there is one nearby.
      const newline = first.indexOf(0x0a, excess);
      const cut = newline !== -1 && newline - excess < 4096 ? newline + 1 : excess;
      this.chunks[0] = compact(first.subarray(cut));
      this.size -= cut;
      excess = 0;
    }
  }
}

/**
 * A view that keeps a big buffer alive for less than half of it is copied; others are kept
 * (small views share Node's 8 KiB pool, which copying would not avoid). Each byte is copied
 * at most about once: a copy is its own buffer until trims take half of it.
 */
function compact(view: Buffer): Buffer {
  const held = view.buffer.byteLength;
  return held > 64 * 1024 && view.byteLength * 2 < held ? Buffer.from(view) : view;
}
