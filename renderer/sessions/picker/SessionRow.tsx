/**
 * One session in the picker: its name (or an inline rename), status, panes,
 * age and a peek at its last lines. Only the highlighted row (by the arrows or
 * the pointer) has its action buttons, so Tab goes from the filter to them and
 * a long list builds no buttons nobody can see.
 */
import type { SessionInfo } from '../../../preload/contract';
import { DeleteIcon, DetachIcon, OpenInNewPaneIcon, RenameIcon } from '../../blocks/icons';
import { statusLabel } from '../session-status';
import { StatusDot } from '../StatusDot';
import { StatusWords } from '../StatusWords';
import { ROW_HEIGHT } from './list-window';
import { NameInput } from './NameInput';
import { byId, paneCount, relativeAge } from './picker-model';

export type RowMode = 'view' | 'rename' | 'confirmDelete';

type Props = {
  session: SessionInfo;
  /** Last lines of text, or undefined before the first peek. */
  peek: string[] | undefined;
  /** The session this block shows. */
  current: boolean;
  highlighted: boolean;
  mode: RowMode;
  now: number;
  optionId: string;
  /** Where the row sits in the whole (windowed) list, from 0, and how long the list is. */
  position: number;
  count: number;
  onPick(): void;
  onHighlight(): void;
  onMode(mode: RowMode): void;
  onRename(name: string | null): Promise<void>;
  onOpenInNewPane(): void;
  onDetach(): void;
  onDelete(): void;
};

export function SessionRow(props: Props) {
  const { session, peek, current, highlighted, mode, now, optionId, position, count } = props;
  const status = statusLabel(session.status);
  const panes = session.attachedBlocks.length;
  const className = `picker-row${highlighted ? ' highlighted' : ''}${current ? ' current' : ''}`;

  return (
    <li
      role="none"
      className={className}
      style={{ top: position * ROW_HEIGHT, height: ROW_HEIGHT }}
      data-session-id={session.id}
      onMouseMove={props.onHighlight}
    >
      {mode === 'rename' ? (
        <NameInput
          label={`New name for ${session.displayName}`}
          initial={session.name ?? ''}
          placeholder="Session name (blank: none)"
          onSubmit={props.onRename}
          onCancel={() => props.onMode('view')}
        />
      ) : (
        <div
          id={optionId}
          role="option"
          aria-selected={highlighted}
          aria-posinset={position + 1}
          aria-setsize={count}
          aria-current={current ? 'true' : undefined}
          aria-label={`${session.displayName}, ${status}${current ? ', current' : ''}`}
          className="picker-row-main"
          title={current ? 'Shown in this pane' : 'Show in this pane'}
          onClick={props.onPick}
          onDoubleClick={() => props.onMode('rename')}
        >
          <span className="picker-row-title">
            <StatusDot status={session.status} decorative />
            <span className={`picker-row-name${byId(session) ? ' by-id' : ''}`}>
              {session.displayName}
            </span>
            {current ? <span className="picker-badge">current</span> : null}
          </span>
          <span className="picker-row-meta">
            <StatusWords session={session} /> · {paneCount(panes)} ·{' '}
            {relativeAge(session.lastActiveAt, now)}
          </span>
          <Peek lines={peek} />
        </div>
      )}
      {mode === 'confirmDelete' ? (
        <div className="picker-confirm" role="group" aria-label={`Delete ${session.displayName}?`}>
          <span>
            Delete “{session.displayName}”? Its shell ends
            {panes > 0 ? ` and ${paneCount(panes)} will show no session` : ''}.
          </span>
          <button type="button" className="danger" autoFocus onClick={props.onDelete}>
            Delete
          </button>
          <button type="button" onClick={() => props.onMode('view')}>
            Cancel
          </button>
        </div>
      ) : mode === 'view' && highlighted ? (
        <span
          className="picker-row-actions"
          role="group"
          aria-label={`Actions for ${session.displayName}`}
        >
          <RowButton label="Rename" onClick={() => props.onMode('rename')}>
            <RenameIcon />
          </RowButton>
          <RowButton label="Open in new pane" onClick={props.onOpenInNewPane}>
            <OpenInNewPaneIcon />
          </RowButton>
          {current || panes > 0 ? (
            <RowButton
              label={current ? 'Detach' : `Detach from ${paneCount(panes)}`}

              onClick={props.onDetach}
            >
              <DetachIcon />
            </RowButton>
          ) : null}
          <RowButton label="Delete" onClick={() => props.onMode('confirmDelete')}>
            <DeleteIcon />
          </RowButton>
        </span>
      ) : null}
    </li>
  );
}

function Peek({ lines }: { lines: string[] | undefined }) {
  if (lines === undefined) return <span className="picker-peek pending">…</span>;
  if (lines.length === 0) return <span className="picker-peek empty">(no output)</span>;
  return (
    <span className="picker-peek" aria-label="Last lines">
      {lines.map((line, index) => (
        <span key={index} className="picker-peek-line">
          {line}
        </span>
      ))}
    </span>
  );
}

type RowButtonProps = { label: string; onClick(): void; children: React.ReactNode };

function RowButton({ label, onClick, children }: RowButtonProps) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={label}
      title={label}
      onClick={(event) => {
        event.stopPropagation();
        onClick();
      }}
    >
      {children}
    </button>
  );
}
