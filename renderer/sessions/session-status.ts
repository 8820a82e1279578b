/**
 * How a session's status is put to people: a word, a colour tone, and for a
 * disconnected session what its connection is doing to bring it back
 * ("disconnected — reconnecting in 4 s").
 */
import type { SessionInfo, SessionStatus } from '../../preload/contract';
import { secondsUntil } from '../connections/link-state';
import type { LinkStatus } from '../state/connections';

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
 * What brings a disconnected session back, from its connection's link:
 * "reconnecting in 4 s" while the next attempt waits, "reconnecting…" while
 * one is under way or due (an unused link too: showing the session starts
 * one), "resuming…" once the link is up again, and "not reconnecting" when
 * nothing will try by itself (the connection's Reconnect does).
 */
export function reconnectWords(link: LinkStatus | null, now: number): string {
  switch (link?.state) {
    case 'connected':
    case 'ready':
      return 'resuming…';
    case 'disconnected':
      if (link.retryAt === null) return 'not reconnecting';
      return link.retryAt > now
        ? `reconnecting in ${secondsUntil(link.retryAt, now)} s`
        : 'reconnecting…';
    case 'error':
      return 'not reconnecting';
    default:
      return 'reconnecting…';
  }
}

/** A session's status in words: "running", or "disconnected — reconnecting in 4 s". */
export function statusWords(status: SessionStatus, link: LinkStatus | null, now: number): string {
  if (status !== 'disconnected') return statusLabel(status);
  return `${statusLabel(status)} — ${reconnectWords(link, now)}`;
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
