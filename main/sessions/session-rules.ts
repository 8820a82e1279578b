/**
 * Small rules of sessions that need no state: what a good name is, which
 * lifecycle event a lost shell means, and how a block row is sent.
 */
import type { SessionRow } from '../../db/schema';
import type { BlockInfo } from '../../preload/contract';
import { cleanName, nameProblem } from '../../preload/layout';
import { TetherError } from '../../preload/tether-error';
import type { LifecycleEvent } from './lifecycle';

/** The size a shell starts at until a block says how big it is. */
export const DEFAULT_SIZE = { cols: 80, rows: 24 };

/** The name as kept (trimmed, composed) or null; refuses bad names with `invalid_name`. */
export function checkName(name: string | null): string | null {
  if (name === null) return null;
  const trimmed = cleanName(name);
  if (trimmed === '') return null;
  const problem = nameProblem(trimmed);
  if (problem) throw new TetherError('invalid_name', problem);
  return trimmed;
}

/** The event that ends a session whose shell is gone, from the status it was in. */
export function lifecycleEventForLostShell(status: SessionRow['status']): LifecycleEvent {
  if (status === 'init') return 'startFailed';
  if (status === 'disconnected') return 'linkBackGone';
  return 'backendGone';
}

export function toBlockInfo(block: {
  id: string;
  connection: string;
  createdAt: number;
  sessionId: string | null;
}): BlockInfo {
  return {
    id: block.id,
    connection: block.connection,
    createdAt: block.createdAt,
    sessionId: block.sessionId,
  };
}
