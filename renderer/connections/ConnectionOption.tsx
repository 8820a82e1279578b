/**
 * One row of the connection picker: a connection's name with a dot for its
 * link (when one exists), and where it goes; or what was typed, offered as a
 * new connection. The filter keeps the keyboard; rows are options it points at.
 */
import type { LinkState } from '../../preload/contract';
import type { ConnectionRow } from './connection-picker-model';
import { linkLabel } from './link-state';
import { LinkDot } from './LinkDot';

type Props = {
  row: ConnectionRow;
  optionId: string;
  /** The link's state as last reported; null when the window has heard of none. */
  status: LinkState | null;
  current: boolean;
  highlighted: boolean;
  onPick(): void;
  onHighlight(): void;
};

export function ConnectionOption(props: Props) {
  const { row, optionId, status, current, highlighted, onPick, onHighlight } = props;
  const className = `connection-row${highlighted ? ' highlighted' : ''}${current ? ' current' : ''}`;
  if (row.kind === 'new') {
    return (
      <li
        id={optionId}
        role="option"
        aria-selected={highlighted}
        aria-label={`Connect to ${row.name}, a new SSH connection`}
        className={`${className} new`}
        onClick={onPick}
        onMouseMove={onHighlight}
      >
        <span className="connection-row-name">Connect to {row.name}</span>
        <span className="connection-row-target">a new SSH connection</span>
      </li>
    );
  }
  const info = row.connection;
  // A dot for links that exist; local and never-opened connections have none to show.
  const shown = status !== null && status !== 'ready' && status !== 'idle' ? status : null;
  const label = [info.name, info.target, shown && linkLabel(shown), current && 'current']
    .filter(Boolean)
    .join(', ');
  return (
    <li
      id={optionId}
      role="option"
      aria-selected={highlighted}
      aria-label={label}
      aria-current={current ? 'true' : undefined}
      className={className}
      title={current ? 'Used by this block' : undefined}
      onClick={onPick}
      onMouseMove={onHighlight}
    >
      <span className="connection-row-name">
        {shown ? <LinkDot state={shown} decorative /> : null}
        {info.name}
        {current ? <span className="picker-badge">current</span> : null}
      </span>
      <span className="connection-row-target">
        {info.kind === 'local' ? 'this computer' : (info.target ?? '')}
        {info.fromConfig ? <span className="connection-row-source">~/.ssh/config</span> : null}
      </span>
    </li>
  );
}
