/**
 * A quiet tag beside a header's session name when the session's shell will
 * not outlive the app (or its link): a broken ring and "not durable", only
 * the ring where the header is narrow. Why it is not durable is its tooltip
 * and its description for screen readers.
 */
import { useId } from 'react';

type Props = {
  /** Why the session does not survive, in the core's words (`SessionInfo.notDurable`). */
  reason: string;
};

export function NotDurableMarker({ reason }: Props) {
  const reasonId = useId();
  return (
    <span
      className="not-durable"
      role="img"
      aria-label="Not durable"
      aria-describedby={reasonId}
      title={reason}
    >
      <svg
        className="not-durable-ring"
        width="10"
        height="10"
        viewBox="0 0 16 16"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        aria-hidden="true"
      >
        <circle cx="8" cy="8" r="6" strokeDasharray="3.5 2.8" />
      </svg>
      <span className="not-durable-word" aria-hidden="true">
        not durable
      </span>
      <span id={reasonId} hidden>
        {reason}
      </span>
    </span>
  );
}
