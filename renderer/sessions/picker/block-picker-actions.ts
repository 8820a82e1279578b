/** The picker's actions for one block: what each button does to the block and its sessions. */
import type { SessionInfo } from '../../../preload/contract';
import { openSessionInNewPane } from '../../layout/commands';
import { TetherError } from '../../../preload/tether-error';
import { getClient } from '../../api/client';
import type { TermWrap } from '../../term/term-wrap';
import { createNamedSession, deleteSession, renameSession } from '../commands';
import type { PickerActions } from './SessionPicker';

export function blockPickerActions(
  blockId: string,
  connection: string,
  wrap: () => TermWrap | null,
): PickerActions {
  return {
    show: async (sessionId) => {
      const term = wrap();
      if (!term) throw new TetherError('detached', 'This block is closing.');
      await term.switchTo(sessionId);
    },
    create: (name) => createNamedSession(connection, name),
    rename: async (sessionId, name) => {
      await renameSession(sessionId, name);
    },
    remove: deleteSession,
    detach: async (session: SessionInfo) => {
      const blocks = session.attachedBlocks.includes(blockId) ? [blockId] : session.attachedBlocks;
      for (const id of blocks) await getClient().request('detachBlock', { blockId: id });
    },
    // A refusal (no room, no block) is told by a notice; the picker stays open.
    openInNewPane: (sessionId) => openSessionInNewPane(sessionId, blockId),
  };
}
