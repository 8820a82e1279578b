/**
 * What a block without a session shows: a way to start one, and the other
 * sessions on its connection to show instead. (The full picker comes later.)
 */
import { useAtomValue } from 'jotai';
import { useMemo, useState } from 'react';
import { sessionsAtom, sessionsOn } from '../state/sessions';
import { statusLabel } from './session-status';
import { StatusDot } from './StatusDot';

/** Enough to pick a recent one; older sessions belong to the picker. */
const SHOWN = 8;

/** The session the block showed before, and whether it is gone or only detached. */
export type PreviousSession = { name: string; deleted: boolean };

type Props = {
  connection: string;
  previous: PreviousSession | null;
  /** Start a new session and show it; resolves once done (or failed, told elsewhere). */
  onCreate(): Promise<void>;
  /** Show this session in the block. */
  onPick(sessionId: string): Promise<void>;
};

export function NoSession({ connection, previous, onCreate, onPick }: Props) {
  const sessions = useAtomValue(sessionsAtom);
  const others = useMemo(() => sessionsOn(sessions, connection), [sessions, connection]);
  const [busy, setBusy] = useState(false);

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    void action().finally(() => setBusy(false));
  };

  return (
    <div className="no-session" role="group" aria-label="No session">
      <p className="no-session-title">No session</p>
      {previous ? (
        <p className="no-session-hint" role="status">
          {previous.deleted
            ? `The session “${previous.name}” was deleted.`
            : `“${previous.name}” is no longer shown here; it keeps running.`}
        </p>
      ) : null}
      <button type="button" disabled={busy} onClick={() => run(onCreate)}>
        New session
      </button>
      {others.length > 0 ? (
        <>
          <p className="no-session-hint">Or show a session on {connection}:</p>
          <ul className="session-choices" aria-label="Sessions">
            {others.slice(0, SHOWN).map((session) => (
              <li key={session.id}>
                <button
                  type="button"
                  className="session-choice"
                  disabled={busy}
                  aria-label={`${session.displayName} (${statusLabel(session.status)})`}
                  title={`${session.name ?? session.topic ?? session.id} (${statusLabel(session.status)})`}
                  onClick={() => run(() => onPick(session.id))}
                >
                  <StatusDot status={session.status} decorative />
                  <span className="session-choice-name">{session.displayName}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
