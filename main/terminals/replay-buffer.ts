/**
 * The last N bytes of a stream, kept to repaint a terminal that attaches late
 * (a reloaded page, a second window). When trimming, it cuts at a line break
 * so a repaint rarely starts inside an escape sequence or a UTF-8 character.
 */
export class ReplayBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly capacity: number) {}

  get byteLength(): number {
    return this.size;
  }

  append(data: Buffer): void {
    if (data.byteLength === 0) return;
    this.chunks.push(data);
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
      this.chunks[0] = first.subarray(cut);
      this.size -= cut;
      excess = 0;
    }
  }
}
