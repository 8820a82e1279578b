/**
 * Who sizes a shared shell (tmux's `latest` rule): the block that was active
 * last fits the shell to itself; every other block showing the session draws
 * it at that size, clipped or with room to spare, rather than re-wrapping it.
 */
import type { SessionInfo } from '../../preload/contract';

export type SizePlan =
  /** Fit the terminal to its container and send that size to the shell. */
  | { kind: 'fit' }
  /** Show the shell at the size another block gave it. */
  | { kind: 'follow'; cols: number; rows: number };

export function sizePlan(
  session: Pick<SessionInfo, 'sizedBy' | 'cols' | 'rows'> | null,
  blockId: string,
): SizePlan {
  // Nobody has been active yet: whoever shows the session may size it.
  if (!session || session.sizedBy === null || session.sizedBy === blockId) return { kind: 'fit' };
  return { kind: 'follow', cols: session.cols, rows: session.rows };
}
