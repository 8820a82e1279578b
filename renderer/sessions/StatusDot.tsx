/** A session's status as a coloured dot, named for screen readers unless decorative. */
import type { SessionStatus } from '../../preload/contract';
import { statusLabel, statusTone } from './session-status';

type Props = {
  status: SessionStatus;
  /** Inside an element that already says the status. */
  decorative?: boolean;
};

export function StatusDot({ status, decorative = false }: Props) {
  const className = `status-dot status-${statusTone(status)}`;
  if (decorative) return <span className={className} aria-hidden="true" />;
  return (
    <span className={className} role="img" aria-label={`Session status: ${statusLabel(status)}`} />
  );
}
