/**
 * What went wrong in a list of sessions: an action that failed, and why the
 * list could not be loaded, with a way to ask again. Nothing when all is well.
 */
type Props = {
  /** The last action's failure, for people. */
  failure: string | null;
  /** Why the list could not be loaded. */
  error: string | null;
  onRetry(): void;
};

export function ListProblems({ failure, error, onRetry }: Props) {
  return (
    <>
      {failure ? (
        <p className="picker-message error" role="alert">
          {failure}
        </p>
      ) : null}
      {error ? (
        <p className="picker-message error" role="alert">
          Sessions could not be loaded: {error}{' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </p>
      ) : null}
    </>
  );
}
