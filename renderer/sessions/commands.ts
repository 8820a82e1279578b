/**
 * Session actions started from the UI. Failures become notices the user can
 * read; callers get null or false and carry on.
 */
import type { SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { getClient } from '../api/client';
import { rememberSession } from '../state/sessions';
import { addNoticesAtom, store } from '../state/store';

function tell(message: string): void {
  store.set(addNoticesAtom, [{ level: 'error', message }]);
}

/** A new anonymous session on a connection, shown nowhere yet. */
export async function createSession(connection: string): Promise<SessionInfo | null> {
  try {
    const session = await getClient().request('createSession', { connection });
    rememberSession(session);
    return session;
  } catch (error) {
    tell(`No new session: ${TetherError.from(error).message}`);
    return null;
  }
}

/** Run a switch of a block to a session; a refusal is told, and the block keeps what it showed. */
export async function showSession(switchTo: () => Promise<void>): Promise<boolean> {
  try {
    await switchTo();
    return true;
  } catch (error) {
    tell(`The session could not be shown: ${TetherError.from(error).message}`);
    return false;
  }
}

/** Stop showing a session in a block; the session keeps running and can be shown again. */
export async function detachBlock(blockId: string): Promise<void> {
  try {
    await getClient().request('detachBlock', { blockId });
  } catch (error) {
    tell(`The block could not be detached: ${TetherError.from(error).message}`);
  }
}

// The picker's actions: they throw, so the picker can show the error where the user is looking.

/** A new session, named or not (blank means anonymous); errors (a taken name) are thrown. */
export async function createNamedSession(
  connection: string,
  name: string | null,
): Promise<SessionInfo> {
  const session = await getClient().request('createSession', { connection, name });
  rememberSession(session);
  return session;
}

/** Name a session (null or blank: anonymous again); every header showing it follows. */
export async function renameSession(sessionId: string, name: string | null): Promise<SessionInfo> {
  const session = await getClient().request('renameSession', { sessionId, name });
  rememberSession(session);
  return session;
}

/** End a session's shell and forget it; its panes are detached by the core. */
export async function deleteSession(sessionId: string): Promise<void> {
  await getClient().request('deleteSession', { sessionId });
}
