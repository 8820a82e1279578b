/**
 * Said over a block when typing was refused because its session's host
 * can't be reached: nothing was sent and nothing is kept for later. The
 * block removes it once the session runs again.
 */
type Props = {
  connection: string;
};

export function NotSentNotice({ connection }: Props) {
  return (
    <div className="block-overlay" role="alert">
      <p className="overlay-message">Not sent — {connection} can’t be reached; reconnecting…</p>
      <p className="overlay-hint">The session resumes by itself; type again then.</p>
    </div>
  );
}
