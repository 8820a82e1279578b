import { describe, expect, it } from 'vitest';
import {
  isSessionStatus,
  LIFECYCLE_EVENTS,
  nextStatus,
  SESSION_STATUSES,
  TRANSITIONS,
  type LifecycleEvent,
  type SessionStatus,
} from './lifecycle';

// The table of DESIGN §3, written out again so a change to TRANSITIONS has to change this too.
const legal: [SessionStatus, LifecycleEvent, SessionStatus][] = [
  ['init', 'started', 'running'],
  ['init', 'startFailed', 'done'],
  ['running', 'linkLost', 'disconnected'],
  ['disconnected', 'linkBackAlive', 'running'],
  ['disconnected', 'linkBackGone', 'done'],
  ['running', 'exited', 'done'],
  ['running', 'backendGone', 'done'],
  ['running', 'stopped', 'done'],
  ['disconnected', 'stopped', 'done'],
  ['done', 'restart', 'init'],
];

const isLegal = (from: SessionStatus, event: LifecycleEvent) =>
  legal.some(([legalFrom, legalEvent]) => legalFrom === from && legalEvent === event);

const illegal = SESSION_STATUSES.flatMap((from) =>
  LIFECYCLE_EVENTS.filter((event) => !isLegal(from, event)).map(
    (event) => [from, event] as [SessionStatus, LifecycleEvent],
  ),
);

describe('nextStatus', () => {
  it.each(legal)('%s --%s--> %s', (from, event, to) => {
    expect(nextStatus(from, event)).toBe(to);
  });

  it.each(illegal)('rejects %s --%s-->', (from, event) => {
    expect(nextStatus(from, event)).toBeNull();
  });

  it('covers every pair of status and event', () => {
    expect(legal.length + illegal.length).toBe(4 * 9);
  });

  it('lets nothing but an explicit restart leave done', () => {
    for (const event of LIFECYCLE_EVENTS) {
      expect(nextStatus('done', event)).toBe(event === 'restart' ? 'init' : null);
    }
  });

  it('never lets a late event revive a session that is done', () => {
    const late: LifecycleEvent[] = ['started', 'linkBackAlive', 'exited', 'backendGone', 'stopped'];
    for (const event of late) expect(nextStatus('done', event)).toBeNull();
  });

  it('rejects a restart of a session that is not done', () => {
    for (const from of ['init', 'running', 'disconnected'] as const) {
      expect(nextStatus(from, 'restart')).toBeNull();
    }
  });
});

describe('TRANSITIONS', () => {
  it('is exactly the table', () => {
    expect(TRANSITIONS.map(({ from, event, to }) => [from, event, to])).toEqual(legal);
  });

  it('has one destination per status and event', () => {
    const keys = TRANSITIONS.map(({ from, event }) => `${from} ${event}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(TRANSITIONS)).toBe(true);
  });
});

describe('SESSION_STATUSES and LIFECYCLE_EVENTS', () => {
  it('list every status and event once', () => {
    expect(SESSION_STATUSES).toEqual(['init', 'running', 'disconnected', 'done']);
    expect(new Set(LIFECYCLE_EVENTS).size).toBe(9);
  });
});

describe('isSessionStatus', () => {
  it('accepts the known statuses and nothing else', () => {
    for (const status of SESSION_STATUSES) expect(isSessionStatus(status)).toBe(true);
    for (const value of ['', 'Running', 'closed', 'toString', null, undefined, 1, {}]) {
      expect(isSessionStatus(value)).toBe(false);
    }
  });
});
