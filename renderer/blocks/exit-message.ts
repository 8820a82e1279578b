/** Words for why a block's session is done, shown over the terminal. */
import type { SessionInfo } from '../../preload/contract';

export type DoneFacts = Pick<SessionInfo, 'exitCode' | 'exitSignal' | 'doneReason'>;

export function exitMessage({ exitCode, exitSignal, doneReason }: DoneFacts): string {
  // A signalled process may also carry a meaningless exit code; the signal is the story.
  if (exitSignal !== null && exitSignal !== 0) return `Shell was killed by signal ${exitSignal}`;
  if (exitCode !== null) return `Shell exited with code ${exitCode}`;
  // No shell status to tell (it never started, the app restarted...): main says why.
  return doneReason ?? 'The session has ended';
}

/** The prefix of `doneReason` when a plain SSH shell ended with its link. */
const CONNECTION_LOST = 'Connection lost';

/**
 * Said plainly under the exit message when an SSH shell died with its link: a
 * plain shell cannot outlive the connection (a tmux session would have).
 */
export function notDurableNote({
  backend,
  doneReason,
}: Pick<SessionInfo, 'backend' | 'doneReason'>): string | null {
  if (backend !== 'plain' || !doneReason?.startsWith(CONNECTION_LOST)) return null;
  return 'This SSH session was not durable: its shell ended when the connection was lost.';
}
