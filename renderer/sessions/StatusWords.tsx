/**
 * A session's status in words, kept current: a disconnected session says
 * what its connection is doing to bring it back and counts down to the next
 * attempt, as the connection label's tooltip does.
 */
import { useAtomValue } from 'jotai';
import { useMemo } from 'react';
import type { SessionInfo } from '../../preload/contract';
import { ticks } from '../connections/link-state';
import { useTickingNow } from '../connections/use-ticking-now';
import { linkStatusAtom } from '../state/connections';
import { statusWords } from './session-status';

type Props = {
  session: Pick<SessionInfo, 'status' | 'connection'>;
};

export function StatusWords({ session }: Props) {
  const { status, connection } = session;
  const link = useAtomValue(useMemo(() => linkStatusAtom(connection), [connection]));
  // Only a disconnected session says anything that changes with time.
  const now = useTickingNow(status === 'disconnected' && ticks(link));
  return <>{statusWords(status, link, now)}</>;
}
