import { describe, expect, it } from 'vitest';
import { TickTally } from './tick-tally';

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('TickTally', () => {
  it('overlapping readings without defects: nothing lost, nothing repeated', () => {
    const tally = new TickTally();
    tally.add(range(1, 50));
    tally.add(range(20, 90));
    tally.add(range(60, 120));
    expect([...tally.lost]).toEqual([]);
    expect([...tally.duplicated]).toEqual([]);
    expect(tally.outOfOrder).toBe(0);
    expect(tally.highest).toBe(120);
  });

  it('a gap inside a reading, and one between readings, are lost lines', () => {
    const tally = new TickTally();
    tally.add([...range(1, 10), ...range(13, 20)]);
    tally.add(range(24, 30));
    expect([...tally.lost]).toEqual([11, 12, 21, 22, 23]);
  });

  it('lines that scrolled out of a later reading are not lost', () => {
    const tally = new TickTally();
    tally.add(range(1, 100));
    tally.add(range(90, 140));
    expect([...tally.lost]).toEqual([]);
  });

  it('a repeated run is duplicated once per number; a line out of place is counted', () => {
    const tally = new TickTally();
    tally.add([...range(1, 10), ...range(7, 12)]);
    expect([...tally.duplicated]).toEqual([7, 8, 9, 10]);
    tally.add([13, 15, 14, 16]);
    expect(tally.outOfOrder).toBe(1);
    expect([...tally.lost]).toEqual([]);
  });
});
