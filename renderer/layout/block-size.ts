/**
 * How small a block may get: room for its header, a few columns and two rows.
 * Dividers stop at these sizes and a block too small to halve is not split.
 */
export const MIN_BLOCK_WIDTH = 120;
export const MIN_BLOCK_HEIGHT = 72;

/** Whether a block on screen has room for two blocks side by side or stacked. */
export function roomToSplit(blockId: string, direction: 'right' | 'down'): boolean {
  const element = document.querySelector(`[data-block-id="${CSS.escape(blockId)}"]`);
  // Not on screen (another tab): the layout decides alone.
  if (!element) return true;
  const { width, height } = element.getBoundingClientRect();
  return direction === 'right' ? width >= 2 * MIN_BLOCK_WIDTH : height >= 2 * MIN_BLOCK_HEIGHT;
}
