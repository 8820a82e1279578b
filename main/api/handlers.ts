/**
 * The contract's implementation: one handler per request, checked against the
 * contract with `satisfies`, so a missing or mistyped handler fails to compile.
 * Handlers receive validated payloads; they translate to the terminal host and
 * the database and nothing more.
 */
import type { Kysely } from 'kysely';
import type { AppInfo, TerminalState } from '../../preload/contract';
import { getBlock } from '../../db/repositories/blocks';
import type { Database } from '../../db/schema';
import type { TerminalClient, TerminalHost } from '../terminals/terminal-host';
import type { WorkspaceStore } from '../workspace/workspace-store';
import type { Caller, Handlers } from './dispatch';
import { TetherError } from '../../preload/tether-error';

export type HandlerDeps = {
  db: Kysely<Database>;
  terminals: TerminalHost;
  workspace: WorkspaceStore;
  appInfo: () => AppInfo;
};

/** The terminal host's view of a caller: output and state become contract events. */
export function terminalClientOf(caller: Caller): TerminalClient {
  return {
    id: caller.id,
    output: (zone: string, offset: number, data: Buffer) =>
      caller.emit('zoneOutput', { zone, offset, data }),
    state: (zone: string, state: TerminalState) => caller.emit('zoneState', { zone, state }),
  };
}

export function createHandlers({ db, terminals, workspace, appInfo }: HandlerDeps) {
  async function requireBlock(blockId: string): Promise<void> {
    if (!(await getBlock(db, blockId))) throw new TetherError('not_found', `No block ${blockId}.`);
  }

  return {
    appInfo: () => appInfo(),
    // Straight into the store's queue, with no await first, so requests keep their arrival order.
    loadWorkspace: () => workspace.load(),
    saveWorkspace: (payload) => workspace.save(payload.workspace),
    createBlock: ({ connection }) => workspace.createBlock(connection),
    attachBlock: async ({ blockId, cols, rows }, caller) => {
      await requireBlock(blockId);
      return terminals.attach(blockId, terminalClientOf(caller), cols, rows);
    },
    restartBlock: async ({ blockId, cols, rows }, caller) => {
      await requireBlock(blockId);
      return terminals.restart(blockId, terminalClientOf(caller), cols, rows);
    },
    detachZone: ({ zone }, caller) => terminals.detach(zone, caller.id),
    writeZone: ({ zone, data, binary }, caller) =>
      terminals.write(zone, caller.id, binary ? Buffer.from(data, 'latin1') : data),
    resizeZone: ({ zone, cols, rows }, caller) => terminals.resize(zone, caller.id, cols, rows),
    ackZone: ({ zone, bytes }, caller) => terminals.ack(zone, caller.id, bytes),
  } satisfies Handlers;
}
