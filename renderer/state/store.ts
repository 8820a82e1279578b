/**
 * The window's state: one jotai store made outside React so non-React code
 * (TermWrap, event listeners) can read and write it, and the atoms that live
 * in it. Subscriptions to the core start when an atom is first used (onMount).
 */
import { atom, createStore } from 'jotai';
import type { AppInfo, Notice } from '../../preload/contract';
import { getClient } from '../api/client';
import type { ConnectionStatus } from '../api/ws-bridge';

export const store = createStore();

/** Version, mode and data directory; null until loaded. */
export const appInfoAtom = atom<AppInfo | null>(null);

export type ShownNotice = Notice & { id: number };

let nextNoticeId = 1;
const withId = (notice: Notice): ShownNotice => ({ ...notice, id: nextNoticeId++ });

/** Notices the user has not dismissed yet, oldest first. */
export const noticesAtom = atom<ShownNotice[]>([]);
noticesAtom.onMount = (setNotices) =>
  getClient().on('notice', (notice) => setNotices((shown) => [...shown, withId(notice)]));

export const addNoticesAtom = atom(null, (_get, set, notices: Notice[]) => {
  if (notices.length === 0) return;
  set(noticesAtom, (shown) => [...shown, ...notices.map(withId)]);
});

export const dismissNoticeAtom = atom(null, (_get, set, id: number) => {
  set(noticesAtom, (shown) => shown.filter((notice) => notice.id !== id));
});

/** Whether the core can be reached (only browser mode can lose it). */
export const hostConnectionAtom = atom<ConnectionStatus>('connecting');
hostConnectionAtom.onMount = (setStatus) => {
  const { connection } = getClient();
  setStatus(connection.status());
  return connection.onChange(setStatus);
};
