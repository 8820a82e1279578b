/**
 * The contract's implementation: one handler per request, checked against the
 * contract with `satisfies`, so a missing or mistyped handler fails to compile.
 * Handlers receive validated payloads; they translate to the session manager,
 * the workspace store and the checker, and nothing more.
 */
import type { AppInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { LOCAL_CONNECTION } from '../../preload/connection-name';
import type { ConnectionService } from '../connections/connection-service';
import type { ConsistencyChecker } from '../sessions/consistency-checker';
import { peekSessions, type PeekSource } from '../sessions/session-peek';
import type { SessionClient } from '../sessions/session-follower';
import type { SessionManager } from '../sessions/session-manager';
import type { WorkspaceStore } from '../workspace/workspace-store';
import type { Caller, Handlers } from './dispatch';

export type HandlerDeps = {
  sessions: SessionManager;
  checker: ConsistencyChecker;
  workspace: WorkspaceStore;
  /** The sessions' mirrors, for peeks at their last lines. */
  mirrors: PeekSource;
  connections: ConnectionService;
  appInfo: () => AppInfo;
};

/** A caller as a follower of zones: output becomes `zoneOutput` events. */
export function sessionClientOf(caller: Caller): SessionClient {
  return {
    id: caller.id,
    output: (zone: string, offset: number, data: Buffer) =>
      caller.emit('zoneOutput', { zone, offset, data }),
  };
}

export function createHandlers({
  sessions,
  checker,
  workspace,
  mirrors,
  connections,
  appInfo,
}: HandlerDeps) {
  /** An SSH connection a block was opened on moves to the top of the connection picker. */
  const used = (connection: string) => {
    if (connection !== LOCAL_CONNECTION) void connections.recordUse(connection);
  };
  return {
    appInfo: () => appInfo(),
    // Straight into the store's queue, with no await first, so requests keep their arrival order.
    loadWorkspace: () => workspace.load(),
    saveWorkspace: (payload) => workspace.save(payload.workspace),
    createBlock: async ({ connection, sessionId }) => {
      if (sessionId !== undefined) {
        const session = sessions.infoOf(sessionId);
        if (session.connection !== connection) {
          throw new TetherError(
            'wrong_connection',
            `Session ${sessionId.slice(0, 8)} runs on ${session.connection}, not on ${connection}.`,
          );
        }
      }
      if (sessionId !== undefined) return workspace.createBlock(connection, sessionId);
      const created = await sessions.createForBlock(connection);
      used(connection);
      try {
        return await workspace.createBlock(connection, created);
      } catch (error) {
        // The block was never stored: its brand-new session would only wait for the reaper.
        await sessions.delete(created).catch(() => undefined);
        throw error;
      }
    },
    attachBlock: ({ blockId, cols, rows }, caller) =>
      sessions.attach(blockId, null, sessionClientOf(caller), cols, rows),
    attachSession: ({ blockId, sessionId, cols, rows }, caller) =>
      sessions.attach(blockId, sessionId, sessionClientOf(caller), cols, rows),
    detachBlock: ({ blockId }) => sessions.detachBlock(blockId),
    restartSession: ({ sessionId, blockId, cols, rows }, caller) =>
      sessions.restart(sessionId, blockId, sessionClientOf(caller), cols, rows),
    createSession: ({ connection, name }) => sessions.create(connection, name),
    listSessions: ({ connection }) => sessions.list(connection),
    peekSessions: ({ connection, lines }) =>
      peekSessions(sessions.list(connection), mirrors, lines),
    sessionInfo: ({ sessionId }) => sessions.infoOf(sessionId),
    renameSession: ({ sessionId, name }) => sessions.rename(sessionId, name),
    deleteSession: ({ sessionId }) => sessions.delete(sessionId),
    recordActivity: ({ sessionId, blockId, cols, rows }) =>
      sessions.recordActivity(sessionId, blockId, cols, rows),
    switchConnection: async ({ blockId, connection }) => {
      const block = await sessions.switchConnection(blockId, connection);
      used(connection);
      return block;
    },
    listConnections: () => connections.list(),
    reconnect: ({ connection }) => connections.reconnect(connection),
    pendingPrompts: () => connections.prompts.list(),
    answerPrompt: ({ promptId, answer }) => connections.prompts.answer(promptId, answer),
    checkerReport: () => checker.report(),
    detachZone: ({ zone, blockId }, caller) => sessions.detachZone(zone, blockId, caller.id),
    writeZone: ({ zone, blockId, data, binary }, caller) =>
      sessions.write(zone, blockId, caller.id, binary ? Buffer.from(data, 'latin1') : data),
    resizeZone: ({ zone, blockId, cols, rows }, caller) =>
      sessions.resize(zone, blockId, caller.id, cols, rows),
    ackZone: ({ zone, blockId, bytes }, caller) => sessions.ack(zone, blockId, caller.id, bytes),
  } satisfies Handlers;
}
