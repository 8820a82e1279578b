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
/** The prefix of `doneReason` when a shell ended with the app (it was not in tmux). */
const APP_RESTARTED = 'Tether restarted';

/**
 * Said plainly under the exit message when a shell died for not being durable:
 * a plain SSH shell that ended with its link, or a local pty shell that ended
 * with the app (a tmux session would have lived on).
 */
export function notDurableNote({
  backend,
  doneReason,
  notDurable,
}: Pick<SessionInfo, 'backend' | 'doneReason' | 'notDurable'>): string | null {
  if (backend === 'plain' && doneReason?.startsWith(CONNECTION_LOST)) {
    return 'This SSH session was not durable: its shell ended when the connection was lost.';
  }
  if (backend === 'pty' && doneReason?.startsWith(APP_RESTARTED)) {
    // The exit message already says the shell ended with the app; this says why.
    return `This session was not durable. ${notDurable ?? 'It ran without tmux.'}`;
  }
  return null;
}
