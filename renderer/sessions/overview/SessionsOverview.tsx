/**
 * The sessions overview: every session on every connection, grouped by
 * connection, most recently active first, each with its status, activity,
 * panes and a peek at its last lines. A session whose connection is down is
 * marked stale. Choosing one brings it on screen: the pane already showing it
 * gets focus, else it opens in a new pane.
 */
import { useAtomValue } from 'jotai';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LinkState, SessionInfo } from '../../../preload/contract';
import { TetherError } from '../../../preload/tether-error';
import type { TetherClient } from '../../api/client';
import { linkStatusesAtom } from '../../state/connections';
import { sessionsAtom } from '../../state/sessions';
import { ListProblems } from '../picker/ListProblems';
import { byId, groupByConnection, paneCount, relativeAge } from '../picker/picker-model';
import { useNow } from '../picker/use-now';
import { usePeeks } from '../picker/use-peeks';
import { statusLabel } from '../session-status';
import { StatusDot } from '../StatusDot';
import { StatusWords } from '../StatusWords';

export type OverviewActions = {
  /** Focus a pane showing the session, else open it in a new pane; false if that was refused. */
  reveal(sessionId: string): Promise<boolean>;
  /** Resolves false when it was refused (the user has been told why). */
  openInNewPane(sessionId: string): Promise<boolean>;
};

type Props = {
  client: TetherClient;
  actions: OverviewActions;
  onClose(): void;
};

/** A session cannot be reached while its connection is down: what it shows may be old. */
export function isStale(session: SessionInfo, link: LinkState | null = null): boolean {
  if (session.status === 'done') return false;
  return session.status === 'disconnected' || link === 'disconnected' || link === 'error';
}

export function SessionsOverview({ client, actions, onClose }: Props) {
  const sessions = useAtomValue(sessionsAtom);
  const links = useAtomValue(linkStatusesAtom);
  const groups = useMemo(() => groupByConnection(sessions), [sessions]);
  const peeks = usePeeks(client, undefined);
  const now = useNow();
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    const first = dialog?.querySelector<HTMLElement>('.overview-card-main');
    (first ?? dialog?.querySelector<HTMLElement>('.overview-close'))?.focus();
  }, []);

  const [failure, setFailure] = useState<string | null>(null);

  /** Close once a pane shows the session; a refusal keeps the overview open. */
  const choose = async (action: () => Promise<boolean>) => {
    setFailure(null);
    try {
      if (await action()) onClose();
    } catch (error) {
      setFailure(TetherError.from(error).message);
    }
  };

  return (
    <div
      ref={dialogRef}
      className="sessions-overview"
      role="dialog"
      aria-label="Sessions overview"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        event.stopPropagation();
        onClose();
      }}
    >
      <header className="overview-header">
        <h1>Sessions</h1>
        <button type="button" className="overview-close" onClick={onClose}>
          Close
        </button>
      </header>
      <ListProblems failure={failure} error={peeks.error} onRetry={peeks.reload} />
      {groups.length === 0 ? (
        <p className="picker-message" role="status">
          {peeks.loading ? 'Loading sessions…' : 'No sessions yet.'}
        </p>
      ) : null}
      {groups.map(([connection, group]) => (
        <section
          key={connection}
          className="overview-group"
          role="group"
          aria-label={`Sessions on ${connection}`}
        >
          <h2>
            {connection} <span className="overview-count">{group.length}</span>
          </h2>
          <ul className="overview-cards">
            {group.map((session) => {
              const stale = isStale(session, links[connection]?.state ?? null);
              return (
                <li
                  key={session.id}
                  className={`overview-card${stale ? ' stale' : ''}`}
                  data-session-id={session.id}
                >
                  <button
                    type="button"
                    className="overview-card-main"
                    aria-label={`${session.displayName}, ${statusLabel(session.status)}${stale ? ', stale' : ''}`}
                    title={
                      session.attachedBlocks.length > 0 ? 'Go to its pane' : 'Show it in a new pane'
                    }
                    onClick={() => void choose(() => actions.reveal(session.id))}
                  >
                    <span className="picker-row-title">
                      <StatusDot status={session.status} decorative />
                      <span className={`picker-row-name${byId(session) ? ' by-id' : ''}`}>
                        {session.displayName}
                      </span>
                      {stale ? <span className="picker-badge stale">stale</span> : null}
                    </span>
                    <span className="picker-row-meta">
                      <StatusWords session={session} /> · {paneCount(session.attachedBlocks.length)}{' '}
                      · active {relativeAge(session.lastActiveAt, now)}
                    </span>
                    <pre className="overview-peek" aria-label="Last lines">
                      {(peeks.peeks[session.id] ?? []).join('\n') || ' '}
                    </pre>
                  </button>
                  <button
                    type="button"
                    className="overview-open"
                    aria-label={`Open ${session.displayName} in a new pane`}
                    onClick={() => void choose(() => actions.openInNewPane(session.id))}
                  >
                    Open in new pane
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}
