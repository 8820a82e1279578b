// The session state machine as data: which event moves a session from which status to which.
// The session manager changes a status only through nextStatus, so a late or repeated event
// (output after exit, a second "exited") can never bring a done session back.
import type { SessionStatus } from '../../db/schema';

export type { SessionStatus } from '../../db/schema';

/** What can happen to a session; only some events are legal in each status. */
export type LifecycleEvent =
  | 'started'
  | 'startFailed'
  | 'linkLost'
  | 'linkBackAlive'
  | 'linkBackGone'
  | 'exited'
  | 'backendGone'
  | 'stopped'
  | 'restart';

// Records, so the compiler insists every status and event is listed exactly once.
const statuses: Record<SessionStatus, true> = {
  init: true,
  running: true,
  disconnected: true,
  done: true,
};
const events: Record<LifecycleEvent, true> = {
  started: true,
  startFailed: true,
  linkLost: true,
  linkBackAlive: true,
  linkBackGone: true,
  exited: true,
  backendGone: true,
  stopped: true,
  restart: true,
};

/** Every status, in lifecycle order. */
export const SESSION_STATUSES = Object.freeze(Object.keys(statuses) as SessionStatus[]);

/** Every lifecycle event. */
export const LIFECYCLE_EVENTS = Object.freeze(Object.keys(events) as LifecycleEvent[]);

/** Whether a value read from storage is a status this build knows. */
export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === 'string' && Object.hasOwn(statuses, value);
}

export type Transition = {
  readonly from: SessionStatus;
  readonly event: LifecycleEvent;
  readonly to: SessionStatus;
};

/** Every legal transition; any (status, event) pair not listed here is rejected. */
export const TRANSITIONS: ReadonlyArray<Transition> = Object.freeze<Transition[]>([
  { from: 'init', event: 'started', to: 'running' },
  { from: 'init', event: 'startFailed', to: 'done' },
  // The remote shell is presumed alive until the backend, asked again, says otherwise.
  { from: 'running', event: 'linkLost', to: 'disconnected' },
  { from: 'disconnected', event: 'linkBackAlive', to: 'running' },
  { from: 'disconnected', event: 'linkBackGone', to: 'done' },
  { from: 'running', event: 'exited', to: 'done' },
  { from: 'running', event: 'backendGone', to: 'done' },
  { from: 'running', event: 'stopped', to: 'done' },
  // A user may delete a session whose host is unreachable.
  { from: 'disconnected', event: 'stopped', to: 'done' },
  // Same id, new shell; only the user asks for this.
  { from: 'done', event: 'restart', to: 'init' },
]);

const table = new Map(TRANSITIONS.map(({ from, event, to }) => [key(from, event), to]));

/** The status `event` leads to from `from`, or null when the event is illegal there. */
export function nextStatus(from: SessionStatus, event: LifecycleEvent): SessionStatus | null {
  return table.get(key(from, event)) ?? null;
}

function key(from: SessionStatus, event: LifecycleEvent): string {
  return `${from} ${event}`;
}
