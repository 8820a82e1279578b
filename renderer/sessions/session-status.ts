/** How a session's status is put to people: a word and a colour tone. */
import type { SessionInfo, SessionStatus } from '../../preload/contract';

const LABELS: Record<SessionStatus, string> = {
  init: 'starting',
  running: 'running',
  disconnected: 'disconnected',
  done: 'done',
};

export function statusLabel(status: SessionStatus): string {
  return LABELS[status];
}

/** Green when it runs, amber while it can't be reached yet or again, grey once done. */
export function statusTone(status: SessionStatus): 'ok' | 'waiting' | 'ended' {
  if (status === 'running') return 'ok';
  return status === 'done' ? 'ended' : 'waiting';
}

/**
 * The name a block header shows for its session: the user's name, else the
 * title the program in it set (OSC 0/2), else the session's display name
 * (its first command, else the first 8 characters of its id).
 */
export function headerName(
  session: Pick<SessionInfo, 'name' | 'displayName'>,
  terminalTitle: string,
): string {
  return session.name ?? (terminalTitle.trim() || session.displayName);
}
