/**
 * What the window knows of the sessions: every session by id, loaded once
 * with `listSessions` and kept current by the core's events, plus the block
 * changes the core makes on its own (a session deleted under a block).
 */
import { atom, type Atom, type createStore } from 'jotai';
import type { SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { TetherClient } from '../api/client';
import { store } from './store';
import { blocksAtom } from './workspace';

type Store = ReturnType<typeof createStore>;
export type Sessions = Record<string, SessionInfo>;

/** Sessions by id, on every connection. */
export const sessionsAtom = atom<Sessions>({});

export function withSession(sessions: Sessions, session: SessionInfo): Sessions {
  return { ...sessions, [session.id]: session };
}

export function withoutSession(sessions: Sessions, sessionId: string): Sessions {
  if (!(sessionId in sessions)) return sessions;
  const { [sessionId]: _removed, ...rest } = sessions;
  return rest;
}

/**
 * Take a list of sessions as the truth for the sessions it covers (all, or one
 * connection's), except for the sessions an event changed or removed while it
 * was on its way: the event is newer than the list.
 */
export function mergeListed(
  current: Sessions,
  listed: readonly SessionInfo[],
  touched: ReadonlySet<string>,
  covers: (session: SessionInfo) => boolean = () => true,
): Sessions {
  const next: Sessions = {};
  for (const session of Object.values(current)) if (!covers(session)) next[session.id] = session;
  for (const session of listed) {
    if (touched.has(session.id)) continue;
    // Unchanged sessions keep their object, so their headers do not re-render.
    const known = current[session.id];
    next[session.id] = known && sameSession(known, session) ? known : session;
  }
  for (const id of touched) {
    const known = current[id];
    if (known) next[id] = known;
  }
  return next;
}

/** Field by field (the attached blocks by value): cheap enough for hundreds every refresh. */
function sameSession(a: SessionInfo, b: SessionInfo): boolean {
  for (const key of Object.keys(a) as (keyof SessionInfo)[]) {
    if (key === 'attachedBlocks') continue;
    if (a[key] !== b[key]) return false;
  }
  return (
    Object.keys(a).length === Object.keys(b).length &&
    a.attachedBlocks.length === b.attachedBlocks.length &&
    a.attachedBlocks.every((id, index) => b.attachedBlocks[index] === id)
  );
}

/** Most recently active first, then newest first: the order of every session list. */
export function byRecentActivity(a: SessionInfo, b: SessionInfo): number {
  return b.lastActiveAt - a.lastActiveAt || b.createdAt - a.createdAt;
}

/** The sessions on one connection, most recently active first. */
export function sessionsOn(sessions: Sessions, connection: string): SessionInfo[] {
  return Object.values(sessions)
    .filter((session) => session.connection === connection)
    .sort(byRecentActivity);
}

/** Record what the window learnt of a session outside the events (an attach reply). */
export function rememberSession(session: SessionInfo, target: Store = store): void {
  target.set(sessionsAtom, (sessions) => withSession(sessions, session));
}

/** The session a block shows, as the window last saw it (null: detached). */
export function setBlockSession(
  blockId: string,
  sessionId: string | null,
  target: Store = store,
): void {
  target.set(blocksAtom, (blocks) => {
    const block = blocks[blockId];
    if (!block || block.sessionId === sessionId) return blocks;
    return { ...blocks, [blockId]: { ...block, sessionId } };
  });
}

/**
 * Load the sessions and follow their changes, and the core's changes to
 * blocks, until the returned function is called.
 */
export function followSessions(client: TetherClient, target: Store = store): () => void {
  let loading = true;
  const touched = new Set<string>();
  const touch = (id: string) => {
    if (loading) touched.add(id);
  };
  const unsubscribes = [
    client.on('sessionChanged', ({ session }) => {
      touch(session.id);
      target.set(sessionsAtom, (sessions) => withSession(sessions, session));
    }),
    client.on('sessionRemoved', ({ sessionId }) => {
      touch(sessionId);
      target.set(sessionsAtom, (sessions) => withoutSession(sessions, sessionId));
    }),
    client.on('blockChanged', ({ block }) => {
      // Another window's blocks are not this window's business.
      target.set(blocksAtom, (blocks) =>
        block.id in blocks ? { ...blocks, [block.id]: block } : blocks,
      );
    }),
  ];
  let stopped = false;
  client.request('listSessions', {}).then(
    (listed) => {
      if (stopped) return;
      target.set(sessionsAtom, (sessions) => mergeListed(sessions, listed, touched));
      loading = false;
      touched.clear();
    },
    (error: unknown) => {
      // The events still fill the list in; a picker asks again when it opens.
      loading = false;
      touched.clear();
      if (!stopped) console.warn('tether: listing sessions failed', TetherError.from(error));
    },
  );
  return () => {
    stopped = true;
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}

/**
 * One atom per session id, derived from `sessionsAtom`: every header showing a
 * session reads the same atom, so a rename or a status change reaches them all
 * at once, and a change to one session re-renders only its own headers.
 * Members live while some block needs them (`retain` / the release it returns).
 */
export class SessionAtoms {
  private readonly members = new Map<string, { atom: Atom<SessionInfo | null>; users: number }>();

  constructor(private readonly source = sessionsAtom) {}

  /** The atom of a session; made on first use. */
  of(sessionId: string): Atom<SessionInfo | null> {
    return this.member(sessionId).atom;
  }

  /** Keep a session's atom while a block needs it; the returned function lets it go. */
  retain(sessionId: string): () => void {
    const member = this.member(sessionId);
    member.users += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      member.users -= 1;
      if (member.users === 0 && this.members.get(sessionId) === member) {
        this.members.delete(sessionId);
      }
    };
  }

  /** How many members exist (for tests: none is kept for a session no block needs). */
  get size(): number {
    return this.members.size;
  }

  private member(sessionId: string) {
    let member = this.members.get(sessionId);
    if (!member) {
      const source = this.source;
      member = { atom: atom((get) => get(source)[sessionId] ?? null), users: 0 };
      this.members.set(sessionId, member);
    }
    return member;
  }
}

export const sessionAtoms = new SessionAtoms();
