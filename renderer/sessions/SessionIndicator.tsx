/**
 * The session part of a block header: a status dot and the session's display
 * name, or "No session". The name opens the session picker (next issue).
 */
import type { SessionInfo } from '../../preload/contract';
import { statusLabel } from './session-status';
import { StatusDot } from './StatusDot';

type Props = {
  /** The session shown; null while the first attach is on its way or when detached. */
  session: SessionInfo | null;
  detached: boolean;
};

export function SessionIndicator({ session, detached }: Props) {
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
        {session ? session.displayName : 'No session'}
      </button>
    </span>
  );
}
