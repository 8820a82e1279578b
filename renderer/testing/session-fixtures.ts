/**
 * Test doubles for the renderer's session code: a `SessionInfo` with plain
 * defaults, and a client whose `peekSessions` answers as the test says.
 * Tests only; nothing here is bundled.
 */
import type { SessionInfo, SessionPeek } from '../../preload/contract';
import { sessionsAtom } from '../state/sessions';
import { store } from '../state/store';
import { scriptedClient } from './scripted-client';

/** A running, unnamed local session, changed as given. */
export function sessionInfo(id: string, changes: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id,
    name: null,
    displayName: id.slice(0, 8),
    connection: 'local',
    backend: 'pty',
    notDurable: null,
    status: 'running',
    doneReason: null,
    exitCode: null,
    exitSignal: null,
    topic: null,
    cols: 80,
    rows: 24,
    sizedBy: null,
    attachedBlocks: [],
    createdAt: 1,
    lastActiveAt: 1,
    lastOutputAt: null,
    ...changes,
  };
}

/** A client whose `peekSessions` answers as the test says; any other request fails the test. */
export function fakePeekClient() {
  let answer: () => Promise<SessionPeek[]> = () => new Promise(() => {});
  const peekCalls: unknown[] = [];
  const { client } = scriptedClient({
    peekSessions: (payload) => {
      peekCalls.push(payload);
      return answer();
    },
  });
  return {
    client,
    peekCalls,
    /** Answer every `peekSessions` with these sessions (and their peeks), as known now. */
    reply(sessions: SessionInfo[], peeks: Record<string, string[]> = {}) {
      answer = async () => sessions.map((one) => ({ ...one, peek: peeks[one.id] ?? [] }));
    },
    fail(error: unknown) {
      answer = async () => {
        throw error;
      };
    },
    hang() {
      answer = () => new Promise(() => {});
    },
  };
}

export type FakePeekClient = ReturnType<typeof fakePeekClient>;

/** Sessions the window knows (in `sessionsAtom`) and the fake lists, the same. */
export function knownSessions(
  fake: FakePeekClient,
  sessions: SessionInfo[],
  peeks: Record<string, string[]> = {},
): void {
  store.set(sessionsAtom, Object.fromEntries(sessions.map((one) => [one.id, one])));
  fake.reply(sessions, peeks);
}
