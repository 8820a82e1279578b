/**
 * The session part of a block header: a status dot and the session's display
 * name, or "No session". The name opens the session picker (next issue).
 */
import type { SessionInfo } from '../../preload/contract';
import { headerName, statusLabel } from './session-status';
import { StatusDot } from './StatusDot';

type Props = {
  /** The session shown; null while the first attach is on its way or when detached. */
  session: SessionInfo | null;
  detached: boolean;
  /** The title the program in the block set, which names an unnamed session. */
  terminalTitle: string;
};

export function SessionIndicator({ session, detached, terminalTitle }: Props) {
  if (!session && !detached) return null;
  const fullName = session ? (session.name ?? session.topic ?? session.id) : 'No session';
  const title = session ? `${fullName} (${statusLabel(session.status)})` : fullName;
  return (
    <span className="session-indicator">
      {session ? <StatusDot status={session.status} /> : null}
      <button
        type="button"
        className={`session-name${session ? '' : ' none'}`}
        aria-label="Session"
        title={title}
      >
        {session ? headerName(session, terminalTitle) : 'No session'}
      </button>
    </span>
  );
}
