/**
 * The connection picker: a popup that lists where shells can run (local, the
 * connections used most recently, the rest of ~/.ssh/config) with each one's
 * target and link state, and offers what was typed as a new connection. Typing
 * filters; arrows and Enter or a click choose; Escape or a click outside
 * closes it. It opens from a block's connection label (switch the block) and
 * from the tab bar (a new tab). A refusal is shown in the popup, which keeps
 * what was typed.
 */
import { useAtomValue } from 'jotai';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { TetherError } from '../../preload/tether-error';
import type { TetherClient } from '../api/client';
import { moveHighlight } from '../sessions/picker/picker-model';
import {
  connectionListAtom,
  linkStatusesAtom,
  loadConnections,
  promptAtom,
} from '../state/connections';
import {
  connectionRows,
  parseFreeEntry,
  rowConnection,
  type ConnectionRow,
} from './connection-picker-model';
import { ConnectionOption } from './ConnectionOption';
import { PromptPanel } from './PromptPanel';
import { useAnchoredPopup } from '../popup/use-anchored-popup';

type Props = {
  client: TetherClient;
  /** The element the popup hangs from. */
  anchor: HTMLElement;
  /** The connection the block uses now (marked and highlighted first); null for a new tab. */
  current: string | null;
  /** Open the chosen connection; throws to say why it could not. */
  onChoose(connection: string): Promise<void>;
  /** `refocus`: give the keyboard back to the terminal (false when something new took it). */
  onClose(refocus: boolean): void;
};

export function ConnectionPicker({ client, anchor, current, onChoose, onClose }: Props) {
  const list = useAtomValue(connectionListAtom);
  const statuses = useAtomValue(linkStatusesAtom);
  const [query, setQuery] = useState('');
  const rows = useMemo(() => connectionRows(list, query), [list, query]);
  const [highlightId, setHighlightId] = useState<string | null>(
    current === null ? null : `known:${current}`,
  );
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  /** The connection being opened, while its request is on its way. */
  const [opening, setOpening] = useState<string | null>(null);
  const listId = useId();
  const filterRef = useRef<HTMLInputElement>(null);

  /** Bumped by Retry: ask for the list again. */
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let mounted = true;
    loadConnections(client).then(
      () => {
        if (mounted) setLoading(false);
      },
      (error: unknown) => {
        if (!mounted) return;
        setLoading(false);
        setLoadError(TetherError.from(error).message);
      },
    );
    return () => {
      mounted = false;
    };
  }, [client, attempt]);
  const reload = () => {
    setLoading(true);
    setLoadError(null);
    setAttempt((count) => count + 1);
  };

  const found = rows.findIndex((row) => row.id === highlightId);
  const highlight = found >= 0 ? found : rows.length > 0 ? 0 : -1;
  const highlighted = rows[highlight] ?? null;
  const optionId = (row: ConnectionRow) => `${listId}-${row.id}`;

  const highlightedId = highlighted ? optionId(highlighted) : null;
  useEffect(() => {
    if (!highlightedId) return;
    // jsdom has no scrollIntoView.
    document.getElementById(highlightedId)?.scrollIntoView?.({ block: 'nearest' });
  }, [highlightedId]);

  const { floating, setFloating, floatingStyles, getFloatingProps } = useAnchoredPopup(
    anchor,
    onClose,
  );
  useEffect(() => {
    if (floating) filterRef.current?.focus({ preventScroll: true });
  }, [floating]);

  const choose = async (row: ConnectionRow) => {
    if (opening !== null) return;
    const connection = rowConnection(row);
    setFailure(null);
    setOpening(connection);
    try {
      await onChoose(connection);
      onClose(true);
    } catch (error) {
      setFailure(TetherError.from(error).message);
      setOpening(null);
    }
  };

  // After a refusal the keyboard is back in the filter, to fix what was typed.
  useEffect(() => {
    if (failure) filterRef.current?.focus({ preventScroll: true });
  }, [failure]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose(true);
      return;
    }
    // Keys typed in a prompt's fields are the prompt's.
    if (!isFilter(event.target)) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = moveHighlight(highlight, event.key === 'ArrowDown' ? 1 : -1, rows.length);
      setHighlightId(rows[next]?.id ?? null);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (highlighted) void choose(highlighted);
    }
  };

  const entry = parseFreeEntry(query);
  const typed = query.trim();
  return createPortal(
    <div
      ref={setFloating}
      style={floatingStyles}
      className="session-picker connection-picker"
      role="dialog"
      aria-label="Open a connection"
      {...getFloatingProps({ onKeyDown })}
    >
      <input
        ref={filterRef}
        className="picker-filter"
        type="text"
        role="combobox"
        aria-label="Filter connections"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={highlightedId ?? undefined}
        aria-invalid={rows.length === 0 && entry.kind === 'invalid'}
        placeholder="Connections — type to filter, or user@host:port"
        value={query}
        // Not `disabled` while opening: Chromium would blur it and the keyboard would be lost.
        readOnly={opening !== null}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => {
          setQuery(event.target.value);
          setHighlightId(null);
          setFailure(null);
        }}
      />
      {failure ? (
        <p className="picker-message error" role="alert">
          {failure}
        </p>
      ) : null}
      {loadError ? (
        <p className="picker-message error" role="alert">
          Connections could not be loaded: {loadError}{' '}
          <button type="button" onClick={reload}>
            Retry
          </button>
        </p>
      ) : null}
      {opening !== null ? (
        <Opening client={client} connection={opening} />
      ) : rows.length === 0 ? (
        <p className="picker-message" role="status">
          {loading && list.length === 0
            ? 'Loading connections…'
            : entry.kind === 'invalid'
              ? `No connection matches “${typed}”. ${entry.problem}`
              : `No connection matches “${typed}”.`}
        </p>
      ) : null}
      <ul className="connection-list" id={listId} role="listbox" aria-label="Connections">
        {rows.map((row, index) => (
          <ConnectionOption
            key={row.id}
            row={row}
            optionId={optionId(row)}
            status={statuses[rowConnection(row)]?.state ?? null}
            current={row.kind === 'known' && row.connection.name === current}
            highlighted={index === highlight}
            onPick={() => void choose(row)}
            onHighlight={() => {
              if (row.id !== highlightId) setHighlightId(row.id);
            }}
          />
        ))}
      </ul>
    </div>,
    document.body,
  );
}

function isFilter(target: EventTarget): boolean {
  return target instanceof HTMLInputElement && target.getAttribute('role') === 'combobox';
}

/** While a connection opens: say so, and show its login's question if it asks one now. */
function Opening({ client, connection }: { client: TetherClient; connection: string }) {
  const prompt = useAtomValue(useMemo(() => promptAtom(connection), [connection]));
  return (
    <>
      <p className="picker-message" role="status">
        Opening {connection}…
      </p>
      {prompt ? <PromptPanel key={prompt.id} prompt={prompt} client={client} autoFocus /> : null}
    </>
  );
}
