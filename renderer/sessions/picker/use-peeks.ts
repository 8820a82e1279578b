/**
 * Load the sessions (of one connection, or all) with a peek at their last
 * lines when a picker or the overview opens, and keep the peeks fresh while
 * it is open. One `peekSessions` call per load, never one per row. The list
 * itself also lands in `sessionsAtom`, so what is shown after a reload is what
 * exists; events keep it live in between.
 */
import { useEffect, useState } from 'react';
import type { SessionInfo, SessionPeek } from '../../../preload/contract';
import { TetherError } from '../../../preload/tether-error';
import type { TetherClient } from '../../api/client';
import { mergeListed, sessionsAtom } from '../../state/sessions';
import { store } from '../../state/store';

/** Lines of text a row shows of its session. */
export const PEEK_LINES = 3;
/** How often peeks are read again while the list is open. */
export const PEEK_REFRESH_MS = 2_000;

export type PeekState = {
  /** True until the first answer (or failure). */
  loading: boolean;
  /** Why the last load failed, for people; null when it worked. */
  error: string | null;
  /** Last lines by session id; a session missing here has not been peeked at yet. */
  peeks: Record<string, string[]>;
};

/** A load started just before a list opens (on the click), by connection ('*' for all). */
type Prefetch = { at: number; reply: Promise<Record<string, string[]>>; value?: PeekState };
const prefetches = new Map<string, Prefetch>();
/** A prefetch older than this is not used: the list asks again. */
const PREFETCH_FRESH_MS = 1_000;

/**
 * Start loading as the user reaches for the list (pointer down, the click, the
 * shortcut), so the answer is often there by the time the list first renders.
 */
export function prefetchPeeks(client: TetherClient, connection: string | undefined): void {
  const key = connection ?? '*';
  const known = prefetches.get(key);
  if (known && Date.now() - known.at < PREFETCH_FRESH_MS) return;
  const prefetch: Prefetch = { at: Date.now(), reply: loadPeeks(client, connection) };
  prefetch.reply.then(
    (peeks) => (prefetch.value = { loading: false, error: null, peeks }),
    () => undefined,
  );
  prefetches.set(key, prefetch);
}

/** A fresh prefetch for this list, if one was started. */
function freshPrefetch(connection: string | undefined): Prefetch | undefined {
  const prefetch = prefetches.get(connection ?? '*');
  return prefetch && Date.now() - prefetch.at < PREFETCH_FRESH_MS ? prefetch : undefined;
}

export function usePeeks(
  client: TetherClient,
  connection: string | undefined,
): PeekState & { reload(): void } {
  // What was prefetched, and whether its answer was already there to show first.
  const [start] = useState(() => {
    const prefetch = freshPrefetch(connection);
    return { reply: prefetch?.reply, shown: prefetch?.value };
  });
  const [state, setState] = useState<PeekState>(
    () => start.shown ?? { loading: true, error: null, peeks: {} },
  );
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let live = true;
    let first = reloads === 0 && !start.shown ? start.reply : undefined;
    const refresh = () => {
      const reply = first ?? loadPeeks(client, connection);
      first = undefined;
      return reply.then(
        (peeks) => {
          if (live) setState({ loading: false, error: null, peeks });
        },
        (error: unknown) => {
          const message = TetherError.from(error).message;
          if (live) setState((previous) => ({ ...previous, loading: false, error: message }));
        },
      );
    };
    // An answered prefetch is already shown; the next refresh comes on the timer.
    if (!start.shown || reloads > 0) void refresh();
    const timer = setInterval(() => void refresh(), PEEK_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, connection, reloads, start]);

  return { ...state, reload: () => setReloads((count) => count + 1) };
}

/** One `peekSessions` call: the sessions go to `sessionsAtom`, the peeks are returned by id. */
export async function loadPeeks(
  client: TetherClient,
  connection: string | undefined,
): Promise<Record<string, string[]>> {
  // Events that arrive while the list is on its way are newer than it.
  const touched = new Set<string>();
  const unsubscribe = [
    client.on('sessionChanged', ({ session }) => touched.add(session.id)),
    client.on('sessionRemoved', ({ sessionId }) => touched.add(sessionId)),
  ];
  try {
    const listed = await client.request(
      'peekSessions',
      connection === undefined ? { lines: PEEK_LINES } : { connection, lines: PEEK_LINES },
    );
    const covers = (session: SessionInfo) =>
      connection === undefined || session.connection === connection;
    store.set(sessionsAtom, (sessions) =>
      mergeListed(sessions, listed.map(withoutPeek), touched, covers),
    );
    return peeksById(listed);
  } finally {
    for (const stop of unsubscribe) stop();
  }
}

function withoutPeek({ peek: _peek, ...session }: SessionPeek): SessionInfo {
  return session;
}

function peeksById(listed: readonly SessionPeek[]): Record<string, string[]> {
  const peeks: Record<string, string[]> = {};
  for (const session of listed) peeks[session.id] = session.peek;
  return peeks;
}
