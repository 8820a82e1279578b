/** Hooks that read a block's session from the one per-session atom every header shares. */
import { atom, useAtomValue } from 'jotai';
import { useEffect, useMemo } from 'react';
import type { SessionInfo } from '../../preload/contract';
import { sessionAtoms } from '../state/sessions';
import { blocksAtom } from '../state/workspace';

const noSession = atom<SessionInfo | null>(null);

/** A session as the window knows it now (null: unknown or none), kept while the caller is mounted. */
export function useSession(sessionId: string | null): SessionInfo | null {
  useEffect(() => (sessionId ? sessionAtoms.retain(sessionId) : undefined), [sessionId]);
  return useAtomValue(sessionId ? sessionAtoms.of(sessionId) : noSession);
}

/** The id of the session a block shows (null: detached or unknown block). */
export function useBlockSessionId(blockId: string): string | null {
  const sessionIdAtom = useMemo(
    () => atom((get) => get(blocksAtom)[blockId]?.sessionId ?? null),
    [blockId],
  );
  return useAtomValue(sessionIdAtom);
}
