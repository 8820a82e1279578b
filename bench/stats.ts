/** Small helpers the benchmarks share: medians, number formatting, turn order. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? (sorted[middle - 1]! + sorted[middle]!) / 2
    : sorted[Math.floor(middle)]!;
}

export const fmt = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/** The items in turn: each index starts with the next one, so none always goes first. */
export function inTurn<T>(items: readonly T[], index: number): T[] {
  const start = index % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
