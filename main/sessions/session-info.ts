/**
 * How a session row is shown: its display name and the SessionInfo the
 * contract sends, and the idle deadline the reaper enforces.
 */
import type { SessionRow } from '../../db/schema';
import type { SessionInfo } from '../../preload/contract';

/** The user's name, else the topic (first command typed), else the first 8 characters of the id. */
export function displayName(row: Pick<SessionRow, 'id' | 'name' | 'topic'>): string {
  return row.name ?? row.topic ?? row.id.slice(0, 8);
}

export function toSessionInfo(
  row: SessionRow,
  live: { attached: Iterable<string>; sizedBy: string | null },
  notDurable: string | null = null,
): SessionInfo {
  return {
    id: row.id,
    name: row.name,
    displayName: displayName(row),
    connection: row.connection,
    backend: row.backend,
    notDurable,
    status: row.status,
    doneReason: row.doneReason,
    exitCode: row.exitCode,
    exitSignal: row.exitSignal,
    topic: row.topic,
    cols: row.cols,
    rows: row.rows,
    sizedBy: live.sizedBy,
    attachedBlocks: [...live.attached],
    createdAt: row.createdAt,
    lastActiveAt: row.lastActiveAt,
    lastOutputAt: row.lastOutputAt,
  };
}

/** How long a session nobody shows may live (DESIGN.md §3 defaults). */
export type IdlePolicy = { anonymousMs: number; namedMs: number; doneMs: number };

export const DEFAULT_IDLE_POLICY: IdlePolicy = {
  anonymousMs: 60 * 60 * 1000,
  namedMs: 7 * 24 * 60 * 60 * 1000,
  doneMs: 5 * 60 * 1000,
};

/** The wall-clock time an unattached session is reaped, or null while a block shows it. */
export function idleDeadline(
  row: Pick<SessionRow, 'name' | 'status'>,
  attachedCount: number,
  now: number,
  policy: IdlePolicy,
): number | null {
  if (attachedCount > 0) return null;
  if (row.status === 'done') return now + policy.doneMs;
  return now + (row.name ? policy.namedMs : policy.anonymousMs);
}

const TOPIC_LENGTH = 64;

/**
 * Collects the first command line typed into a session; returns the topic
 * once Enter ends a non-empty line. Control sequences (arrows...) are dropped.
 */
export class TopicCapture {
  private line = '';
  done = false;

  feed(input: string): string | null {
    if (this.done) return null;
    for (const char of input) {
      if (char === '\r' || char === '\n') {
        // eslint-disable-next-line no-control-regex -- escape sequences typed by arrow keys
        const topic = this.line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim();
        this.line = '';
        if (topic) {
          this.done = true;
          return topic.slice(0, TOPIC_LENGTH);
        }
      } else if (char === '\x7f' || char === '\b') {
        this.line = this.line.slice(0, -1);
      } else if (char === '\x03' || char === '\x15') {
        this.line = '';
      } else if (char >= ' ' || char === '\x1b') {
        if (this.line.length < 1024) this.line += char;
      }
    }
    return null;
  }
}
