/** Words for how a block's shell ended, shown over the terminal. */
import type { TerminalState } from '../../preload/contract';

type StoppedState = Exclude<TerminalState, { status: 'running' }>;

/** A shell that could not start is an attach error (shown with Retry), not a state. */
export function exitMessage(state: StoppedState): string {
  // A signalled process may also carry a meaningless exit code; the signal is the story.
  if (state.signal !== null && state.signal !== 0) {
    return `Process terminated by signal ${state.signal}`;
  }
  if (state.exitCode !== null) return `Process exited with code ${state.exitCode}`;
  return 'Process exited';
}
