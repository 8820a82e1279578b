/**
 * What the window knows of the connections: the list the picker offers
 * (`listConnections`), each connection's link state, kept current by
 * `connectionChanged`, and the SSH login questions waiting for an answer
 * (`pendingPrompts`, then `sshPrompt` / `sshPromptClosed`). Prompts carry
 * questions only: answers never pass through the store.
 */
import { atom, type Atom, type createStore } from 'jotai';
import type { ConnectionInfo, ConnectionStatus, SshPrompt } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { TetherClient } from '../api/client';
import { store } from './store';

type Store = ReturnType<typeof createStore>;

/** A link state as the window saw it arrive; `since` dates the state (epoch ms). */
export type LinkStatus = ConnectionStatus & { since: number };

/** The connections `listConnections` named, in its order; empty until loaded. */
export const connectionListAtom = atom<ConnectionInfo[]>([]);

/** Link states by connection name; a connection nothing has reported on is absent. */
export const linkStatusesAtom = atom<Record<string, LinkStatus>>({});

/** Questions waiting for an answer, oldest first. */
export const promptsAtom = atom<SshPrompt[]>([]);

/** Where the connection picker is open: a block's header, or the tab bar for a new tab. */
export type ConnectionPickerTarget = { kind: 'block'; blockId: string } | { kind: 'newTab' };

/** The open connection picker; one at a time in a window. */
export const connectionPickerAtom = atom<ConnectionPickerTarget | null>(null);

const linkAtoms = new Map<string, Atom<LinkStatus | null>>();
const promptAtoms = new Map<string, Atom<SshPrompt | null>>();

/**
 * A connection's link state, the same atom for every header showing it, so a
 * change reaches them all and re-renders only them. Connections are few
 * (the ones this window has used), so members are kept.
 */
export function linkStatusAtom(connection: string): Atom<LinkStatus | null> {
  let member = linkAtoms.get(connection);
  if (!member) {
    member = atom((get) => get(linkStatusesAtom)[connection] ?? null);
    linkAtoms.set(connection, member);
  }
  return member;
}

/** The question a connection's blocks show: its oldest pending prompt. */
export function promptAtom(connection: string): Atom<SshPrompt | null> {
  let member = promptAtoms.get(connection);
  if (!member) {
    member = atom((get) => get(promptsAtom).find((one) => one.connection === connection) ?? null);
    promptAtoms.set(connection, member);
  }
  return member;
}

export function withStatus(
  statuses: Record<string, LinkStatus>,
  status: ConnectionStatus,
  now: number,
): Record<string, LinkStatus> {
  const known = statuses[status.connection];
  if (
    known &&
    known.state === status.state &&
    known.message === status.message &&
    known.retryAt === status.retryAt
  ) {
    return statuses;
  }
  // A state keeps its first date while it lasts (a stall is as old as its first report).
  const since = known && known.state === status.state ? known.since : now;
  return { ...statuses, [status.connection]: { ...status, since } };
}

export function withPrompt(prompts: SshPrompt[], prompt: SshPrompt): SshPrompt[] {
  const index = prompts.findIndex((one) => one.id === prompt.id);
  if (index < 0) return [...prompts, prompt];
  return prompts.map((one, at) => (at === index ? prompt : one));
}

export function withoutPrompt(prompts: SshPrompt[], promptId: string): SshPrompt[] {
  return prompts.some((one) => one.id === promptId)
    ? prompts.filter((one) => one.id !== promptId)
    : prompts;
}

/** Forget a question the window answered, before the core's `sshPromptClosed` says so. */
export function forgetPrompt(promptId: string, target: Store = store): void {
  target.set(promptsAtom, (prompts) => withoutPrompt(prompts, promptId));
}

/** When each store last heard of each connection from an event: the list is older than that. */
const heard = new WeakMap<Store, Map<string, number>>();

function heardOf(target: Store): Map<string, number> {
  let times = heard.get(target);
  if (!times) {
    times = new Map();
    heard.set(target, times);
  }
  return times;
}

/** Take a link state from a `connectionChanged` event. */
export function takeStatusEvent(status: ConnectionStatus, target: Store = store): void {
  const now = Date.now();
  heardOf(target).set(status.connection, now);
  target.set(linkStatusesAtom, (statuses) => withStatus(statuses, status, now));
}

/**
 * Ask for the connection list again (the picker does, each time it opens) and
 * take its link states, except where an event told of a connection while it
 * was on its way: the event is newer.
 */
export async function loadConnections(client: TetherClient, target: Store = store): Promise<void> {
  const asked = Date.now();
  const listed = await client.request('listConnections', {});
  const times = heardOf(target);
  target.set(connectionListAtom, listed);
  target.set(linkStatusesAtom, (statuses) => {
    let next = statuses;
    for (const { status } of listed) {
      if ((times.get(status.connection) ?? -Infinity) >= asked) continue;
      next = withStatus(next, status, Date.now());
    }
    return next;
  });
}

/**
 * Load the link states and pending prompts and follow their changes until the
 * returned function is called.
 */
export function followConnections(client: TetherClient, target: Store = store): () => void {
  let loadingPrompts = true;
  /** Prompts that came or went while `pendingPrompts` was on its way: the events are newer. */
  const touched = new Set<string>();
  const unsubscribes = [
    client.on('connectionChanged', (status) => takeStatusEvent(status, target)),
    client.on('sshPrompt', (prompt) => {
      if (loadingPrompts) touched.add(prompt.id);
      target.set(promptsAtom, (prompts) => withPrompt(prompts, prompt));
    }),
    client.on('sshPromptClosed', ({ promptId }) => {
      if (loadingPrompts) touched.add(promptId);
      target.set(promptsAtom, (prompts) => withoutPrompt(prompts, promptId));
    }),
  ];
  let stopped = false;
  const warn = (what: string) => (error: unknown) => {
    if (!stopped) console.warn(`tether: ${what} failed`, TetherError.from(error));
  };
  loadConnections(client, target).catch(warn('listing connections'));
  client.request('pendingPrompts', {}).then(
    (pending) => {
      loadingPrompts = false;
      if (stopped) return;
      target.set(promptsAtom, (prompts) =>
        pending.reduce(
          (next, prompt) => (touched.has(prompt.id) ? next : withPrompt(next, prompt)),
          prompts,
        ),
      );
      touched.clear();
    },
    (error: unknown) => {
      loadingPrompts = false;
      touched.clear();
      warn('listing SSH prompts')(error);
    },
  );
  return () => {
    stopped = true;
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
