/**
 * The session part of a block header: a status dot and the session's display
 * name, or "No session"; while the session's host cannot be reached, what
 * brings it back ("disconnected — reconnecting in 4 s"); and a "not durable"
 * tag when the session's shell will not outlive the app. The name opens the
 * session picker, which hangs from it.
 */
import type { Ref } from 'react';
import type { SessionInfo } from '../../preload/contract';
import { NotDurableMarker } from './NotDurableMarker';
import { headerName, statusLabel } from './session-status';
import { StatusDot } from './StatusDot';
import { StatusWords } from './StatusWords';

type Props = {
  /** The session shown; null while the first attach is on its way or when detached. */
  session: SessionInfo | null;
  detached: boolean;
  /** The title the program in the block set, which names an unnamed session. */
  terminalTitle: string;
  pickerOpen: boolean;
  onTogglePicker(): void;
  /** The user is reaching for the picker (pointer down): start loading what it shows. */
  onReach(): void;
  /** The shortcut that opens the picker, for the tooltip. */
  shortcut: string;
  /** The element the picker is anchored to. */
  ref?: Ref<HTMLSpanElement>;
};

export function SessionIndicator(props: Props) {
  const { session, detached, terminalTitle, pickerOpen, onTogglePicker, onReach, shortcut, ref } =
    props;
  if (!session && !detached) return null;
  const fullName = session ? (session.name ?? session.topic ?? session.id) : 'No session';
  const title = session ? `${fullName} (${statusLabel(session.status)})` : fullName;
  const shown = session ? headerName(session, terminalTitle) : 'No session';
  // An anonymous session is called by its id's first characters, which read best in monospace.
  const byId = session !== null && shown === session.id.slice(0, 8);
  const away = session?.status === 'disconnected';
  return (
    <>
      <span className="session-indicator" ref={ref}>
        {/* While away the words beside the name say the status, the dot only colours it. */}
        {session ? <StatusDot status={session.status} decorative={away} /> : null}
        <button
          type="button"
          className={`session-name${session ? '' : ' none'}${byId ? ' by-id' : ''}`}
          aria-label="Session"
          aria-haspopup="dialog"
          aria-expanded={pickerOpen}
          title={`${title} — sessions (${shortcut})`}
          onPointerDown={pickerOpen ? undefined : onReach}
          onClick={() => {
            if (!pickerOpen) onReach();
            onTogglePicker();
          }}
        >
          {shown}
        </button>
      </span>
      {/* Beside the indicator, not in it: these take room from the title, not the name. */}
      {session && away ? (
        <span className="session-away">
          <StatusWords session={session} />
        </span>
      ) : null}
      {session?.notDurable ? <NotDurableMarker reason={session.notDurable} /> : null}
    </>
  );
}
