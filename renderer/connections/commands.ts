/**
 * Connection actions started from the UI: show another connection in a block,
 * and reconnect a link that is down. The picker's action throws, so the picker
 * can show why where the user is looking; Reconnect's failure becomes a notice.
 */
import type { BlockInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { getClient } from '../api/client';
import { addNoticesAtom, store } from '../state/store';
import { rememberBlocks } from '../state/workspace';

/**
 * Give a block a new session on another connection; the session it showed
 * keeps running, detached. The block's terminal then follows the new one.
 */
export async function switchBlockConnection(
  blockId: string,
  connection: string,
): Promise<BlockInfo> {
  const block = await getClient().request('switchConnection', { blockId, connection });
  rememberBlocks([block]);
  return block;
}

/** Connect now: cancels a wait between retries, or tries again after an error. */
export async function reconnect(connection: string): Promise<void> {
  try {
    await getClient().request('reconnect', { connection });
  } catch (error) {
    store.set(addNoticesAtom, [
      {
        level: 'error',
        message: `${connection} could not be reconnected: ${TetherError.from(error).message}`,
      },
    ]);
  }
}
