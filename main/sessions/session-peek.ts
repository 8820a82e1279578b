/**
 * Sessions with a peek at their last lines, for the picker and the overview.
 * One round trip to the mirror worker for all of them, and a mirror still
 * parsing a burst of output does not hold the list up: after a short wait its
 * row comes without a peek.
 */
import type { SessionInfo, SessionPeek } from '../../preload/contract';
import type { MirrorTails } from './mirror/mirror-pool';

export type PeekSource = {
  /** The last `count` non-empty lines of each session ready within `waitMs`, by session id. */
  tails(sessionIds: readonly string[], count: number, waitMs: number): Promise<MirrorTails>;
};

/** How long the list waits for the slowest mirror; a glance should not take longer. */
export const PEEK_WAIT_MS = 250;
/** The worker answers by the wait itself; this much more is allowed before giving up on it. */
const WORKER_GRACE_MS = 250;

export async function peekSessions(
  sessions: readonly SessionInfo[],
  source: PeekSource,
  lines: number,
  waitMs = PEEK_WAIT_MS,
): Promise<SessionPeek[]> {
  const tails = await withDeadline(
    source.tails(
      sessions.map((session) => session.id),
      lines,
      waitMs,
    ),
    waitMs + WORKER_GRACE_MS,
  );
  return sessions.map((session) => ({ ...session, peek: tails[session.id] ?? [] }));
}

/** The tails, or none if the worker fails or does not answer in time (it may be restarting). */
async function withDeadline(tails: Promise<MirrorTails>, ms: number): Promise<MirrorTails> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<MirrorTails>((resolve) => {
    timer = setTimeout(() => resolve({}), ms);
  });
  try {
    return await Promise.race([tails.catch((): MirrorTails => ({})), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
