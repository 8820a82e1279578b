/**
 * The session picker: a popup anchored to a block's session indicator that
 * lists the sessions on the block's connection, most recently active first,
 * with what each one shows. Click or arrows + Enter show a session in the
 * block; rows rename, share, detach and delete; "+ Create new session" makes
 * one and shows it. Typing filters; Escape or a click outside closes it.
 */
import { useAtomValue } from 'jotai';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { SessionInfo } from '../../../preload/contract';
import { TetherError } from '../../../preload/tether-error';
import type { TetherClient } from '../../api/client';
import { sessionsAtom } from '../../state/sessions';
import { ListProblems } from './ListProblems';
import { NameInput } from './NameInput';
import { moveHighlight, pickerRows } from './picker-model';
import { ROW_HEIGHT, useListWindow } from './list-window';
import { SessionRow, type RowMode } from './SessionRow';
import { useNow } from './use-now';
import { usePeeks } from './use-peeks';
import { useAnchoredPopup } from '../../popup/use-anchored-popup';

/** What the picker's buttons do; each throws to tell the picker it failed. */
export type PickerActions = {
  /** Show a session in this block. */
  show(sessionId: string): Promise<void>;
  create(name: string | null): Promise<SessionInfo>;
  rename(sessionId: string, name: string | null): Promise<void>;
  remove(sessionId: string): Promise<void>;
  /** Stop showing a session: in this block if it is the current one, else in every pane. */
  detach(session: SessionInfo): Promise<void>;
  /** Resolves false when it was refused (the user has been told why). */
  openInNewPane(sessionId: string): Promise<boolean>;
};

type Props = {
  client: TetherClient;
  connection: string;
  /** The session the block shows, marked in the list. */
  currentSessionId: string | null;
  /** The header element the popup hangs from. */
  anchor: HTMLElement;
  actions: PickerActions;
  /** `refocus`: give the keyboard back to the terminal (false when a new pane took it). */
  onClose(refocus: boolean): void;
};

type Editing = { sessionId: string; mode: RowMode } | null;

export function SessionPicker(props: Props) {
  const { client, connection, currentSessionId, anchor, actions, onClose } = props;
  const sessions = useAtomValue(sessionsAtom);
  const peeks = usePeeks(client, connection);
  const now = useNow();
  const [query, setQuery] = useState('');
  const rows = useMemo(
    () => pickerRows(sessions, connection, query),
    [sessions, connection, query],
  );
  const [highlightId, setHighlightId] = useState<string | null>(currentSessionId);
  const [editing, setEditing] = useState<Editing>(null);
  const [creating, setCreating] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const listId = useId();
  const filterRef = useRef<HTMLInputElement>(null);

  const highlight = Math.max(
    0,
    rows.findIndex((session) => session.id === highlightId),
  );
  const highlighted = rows[highlight] ?? null;
  const {
    ref: listRef,
    onScroll,
    start,
    end,
  } = useListWindow<HTMLUListElement>(rows.length, highlighted ? highlight : -1);
  // The highlighted row is always in the DOM: the filter's aria-activedescendant points at it.
  const rendered = rows
    .map((session, index) => ({ session, index }))
    .filter(({ index }) => (index >= start && index < end) || index === highlight);
  const optionId = (sessionId: string) => `${listId}-${sessionId}`;

  const { floating, setFloating, floatingStyles, getFloatingProps } = useAnchoredPopup(
    anchor,
    onClose,
  );
  // The filter holds the keyboard whenever no name is being edited (from when the popup's
  // element is in the page, hence `floating`).
  useEffect(() => {
    if (floating && !editing && !creating) filterRef.current?.focus({ preventScroll: true });
  }, [floating, editing, creating]);

  /** Run an action; a failure is shown in the popup, which stays open. */
  const run = async (action: () => Promise<void>, after?: () => void) => {
    setFailure(null);
    try {
      await action();
      after?.();
    } catch (error) {
      setFailure(TetherError.from(error).message);
    }
  };

  const pick = (session: SessionInfo) =>
    void run(
      () => actions.show(session.id),
      () => onClose(true),
    );

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      if (editing) setEditing(null);
      else if (creating) setCreating(false);
      else onClose(true);
      return;
    }
    // Keys typed in a name editor are the editor's.
    if (editing || creating) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = moveHighlight(highlight, event.key === 'ArrowDown' ? 1 : -1, rows.length);
      setHighlightId(rows[next]?.id ?? null);
    } else if (event.key === 'Enter' && event.target instanceof HTMLInputElement) {
      event.preventDefault();
      if (highlighted) pick(highlighted);
    } else if (event.key === 'F2' && highlighted) {
      event.preventDefault();
      setEditing({ sessionId: highlighted.id, mode: 'rename' });
    }
  };

  const empty = rows.length === 0;
  return (
    // Straight into the body in the same commit (FloatingPortal would take one more render).
    createPortal(
      <div
        ref={setFloating}
        style={floatingStyles}
        className="session-picker"
        role="dialog"
        aria-label={`Sessions on ${connection}`}
        {...getFloatingProps({ onKeyDown })}
      >
        <input
          ref={filterRef}
          className="picker-filter"
          type="text"
          role="combobox"
          aria-label="Filter sessions"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={highlighted && !editing ? optionId(highlighted.id) : undefined}
          placeholder={`Sessions on ${connection} — type to filter`}
          value={query}
          spellCheck={false}
          onChange={(event) => {
            setQuery(event.target.value);
            setHighlightId(null);
          }}
        />
        <ListProblems failure={failure} error={peeks.error} onRetry={peeks.reload} />
        {empty && peeks.loading ? (
          <p className="picker-message" role="status">
            Loading sessions…
          </p>
        ) : empty ? (
          <p className="picker-message" role="status">
            {query.trim()
              ? `No session matches “${query.trim()}”.`
              : `No sessions on ${connection}.`}
          </p>
        ) : null}
        <ul
          ref={listRef}
          className="picker-list"
          id={listId}
          role="listbox"
          aria-label="Sessions"
          onScroll={onScroll}
        >
          <li role="none" className="picker-spacer" style={{ height: rows.length * ROW_HEIGHT }} />
          {rendered.map(({ session, index }) => (
            <SessionRow
              key={session.id}
              position={index}
              count={rows.length}
              session={session}
              peek={peeks.peeks[session.id]}
              current={session.id === currentSessionId}
              highlighted={index === highlight}
              mode={editing?.sessionId === session.id ? editing.mode : 'view'}
              now={now}
              optionId={optionId(session.id)}
              onPick={() => pick(session)}
              onHighlight={() => {
                if (!editing && session.id !== highlightId) setHighlightId(session.id);
              }}
              onMode={(mode) =>
                setEditing(mode === 'view' ? null : { sessionId: session.id, mode })
              }
              onRename={async (name) => {
                await actions.rename(session.id, name);
                setEditing(null);
              }}
              onOpenInNewPane={() =>
                void run(async () => {
                  if (await actions.openInNewPane(session.id)) onClose(false);
                })
              }
              onDetach={() =>
                void run(
                  () => actions.detach(session),
                  () => {
                    if (session.id === currentSessionId) onClose(true);
                  },
                )
              }
              onDelete={() =>
                void run(
                  () => actions.remove(session.id),
                  () => setEditing(null),
                )
              }
            />
          ))}
        </ul>
        <div className="picker-create">
          {creating ? (
            <NameInput
              label="New session name"
              initial=""
              placeholder="Session name (optional)"
              onSubmit={async (name) => {
                const created = await actions.create(name);
                await actions.show(created.id);
                onClose(true);
              }}
              onCancel={() => setCreating(false)}
            />
          ) : (
            <button
              type="button"
              className="picker-create-button"
              onClick={() => setCreating(true)}
            >
              + Create new session
            </button>
          )}
        </div>
      </div>,
      document.body,
    )
  );
}
