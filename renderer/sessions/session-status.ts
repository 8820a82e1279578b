/** How a session's status is put to people: a word and a colour tone. */
import type { SessionStatus } from '../../preload/contract';

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
