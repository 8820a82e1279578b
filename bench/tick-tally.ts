/**
 * What the drill checks in a counting block: the `tick-N` lines its terminal
 * shows, read again after every resume, must run on without a gap, a repeat
 * or a step back, and each reading must start no later than where the one
 * before ended (the repaint's history overlaps what was already seen).
 */
export class TickTally {
  /** Numbers missing from a reading (between its first and last line, or since the last reading). */
  readonly lost = new Set<number>();
  /** Numbers a reading showed more than once. */
  readonly duplicated = new Set<number>();
  /** Lines that came after a higher number without repeating it. */
  outOfOrder = 0;
  /** The highest number read so far; 0 before the first reading. */
  highest = 0;

  /** One reading: the tick numbers the terminal shows, top to bottom. */
  add(ticks: readonly number[]): void {
    if (ticks.length === 0) return;
    const seen = new Set<number>();
    let previous: number | undefined;
    for (const tick of ticks) {
      if (seen.has(tick)) this.duplicated.add(tick);
      else if (previous !== undefined && tick < previous) this.outOfOrder += 1;
      seen.add(tick);
      previous = tick;
    }
    const lowest = Math.min(...ticks);
    const top = Math.max(...ticks);
    // Below `lowest`, only what earlier readings did not reach: the rest scrolled out of history.
    const from = this.highest > 0 ? Math.min(lowest, this.highest + 1) : lowest;
    for (let tick = from; tick <= top; tick += 1) {
      if (!seen.has(tick)) this.lost.add(tick);
    }
    this.highest = Math.max(this.highest, top);
  }
}
