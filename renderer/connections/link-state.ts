/**
 * How a connection's link state is put to people: a word, a colour tone, and
 * the sentence its tooltip says ("disconnected: … retrying in 4 s").
 */
import type { LinkState } from '../../preload/contract';
import type { LinkStatus } from '../state/connections';

const LABELS: Record<LinkState, string> = {
  ready: 'local',
  idle: 'not connected',
  connecting: 'connecting…',
  connected: 'connected',
  stalled: 'stalled',
  disconnected: 'disconnected',
  error: 'error',
};

export function linkLabel(state: LinkState): string {
  return LABELS[state];
}

export type LinkTone = 'ok' | 'waiting' | 'ended' | 'failed' | 'none';

/** Green when up, amber while it is coming or in doubt, red when it failed, grey when idle. */
export function linkTone(state: LinkState): LinkTone {
  switch (state) {
    case 'ready':
      return 'none';
    case 'connected':
      return 'ok';
    case 'connecting':
    case 'stalled':
      return 'waiting';
    case 'disconnected':
    case 'error':
      return 'failed';
    case 'idle':
      return 'ended';
  }
}

/** Whether the header offers Reconnect: the link is down and nothing is trying right now. */
export function canReconnect(state: LinkState): boolean {
  return state === 'disconnected' || state === 'error';
}

/** Whether a link's description changes with time (a stall's age, a retry's countdown). */
export function ticks(status: LinkStatus | null): boolean {
  return (
    status?.state === 'stalled' || (status?.state === 'disconnected' && status.retryAt !== null)
  );
}

/** Whole seconds from `now` to `at`, never below 0. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * What the link is doing, for the tooltip: "connected", "stalled: no answer from
 * the host for 20 s", "disconnected: Connection refused; retrying in 4 s",
 * "error: Permission denied (publickey)".
 */
export function linkDescription(status: LinkStatus, now: number): string {
  const { state, message } = status;
  switch (state) {
    case 'stalled': {
      const seconds = Math.max(0, Math.floor((now - (status.silentSince ?? status.since)) / 1000));
      return `stalled: ${message ?? `no answer from the host for ${seconds} s`}`;
    }
    case 'disconnected': {
      const retry =
        status.retryAt === null
          ? 'not retrying'
          : status.retryAt <= now
            ? 'retrying now'
            : `retrying in ${secondsUntil(status.retryAt, now)} s`;
      return message ? `disconnected: ${message}; ${retry}` : `disconnected; ${retry}`;
    }
    case 'error':
      return message ? `error: ${message}` : 'error';
    default:
      return linkLabel(state);
  }
}
