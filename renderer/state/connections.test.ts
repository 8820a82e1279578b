import { createStore } from 'jotai';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo, SshPrompt } from '../../preload/contract';
import {
  connectionInfo,
  hostKeyPrompt,
  localConnection,
  scriptedClient,
  secretPrompt,
} from '../testing/connection-fixtures';
import {
  connectionListAtom,
  followConnections,
  forgetPrompt,
  linkStatusAtom,
  linkStatusesAtom,
  loadConnections,
  promptAtom,
  promptsAtom,
} from './connections';

/** A client whose list and pending prompts the test releases. */
function held() {
  let list: (value: ConnectionInfo[]) => void = () => {};
  let prompts: (value: SshPrompt[]) => void = () => {};
  const fake = scriptedClient({
    listConnections: () => new Promise((resolve) => (list = resolve)),
    pendingPrompts: () => new Promise((resolve) => (prompts = resolve)),
  });
  return {
    ...fake,
    list: (value: ConnectionInfo[]) => list(value),
    prompts: (value: SshPrompt[]) => prompts(value),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const devbox = connectionInfo('devbox', {
  status: {
    connection: 'devbox',
    state: 'connected',
    message: null,
    retryAt: null,
    silentSince: null,
  },
});

describe('followConnections', () => {
  it('loads the list with its link states, then follows connectionChanged', async () => {
    const store = createStore();
    const fake = held();
    const stop = followConnections(fake.client, store);
    fake.list([localConnection, devbox]);
    fake.prompts([]);
    await settle();

    expect(store.get(connectionListAtom).map((info) => info.name)).toEqual(['local', 'devbox']);
    expect(store.get(linkStatusAtom('devbox'))).toMatchObject({ state: 'connected' });
    expect(store.get(linkStatusAtom('local'))).toMatchObject({ state: 'ready' });

    fake.emit('connectionChanged', {
      connection: 'devbox',
      state: 'disconnected',
      message: 'Connection lost',
      retryAt: 5_000,
      silentSince: null,
    });
    expect(store.get(linkStatusAtom('devbox'))).toMatchObject({
      state: 'disconnected',
      message: 'Connection lost',
      retryAt: 5_000,
      silentSince: null,
    });
    stop();
  });

  it('keeps a state an event told while the list was on its way: the event is newer', async () => {
    const store = createStore();
    const fake = held();
    const stop = followConnections(fake.client, store);
    fake.emit('connectionChanged', {
      connection: 'devbox',
      state: 'stalled',
      message: null,
      retryAt: null,
      silentSince: null,
    });
    fake.list([localConnection, devbox]);
    await settle();
    expect(store.get(linkStatusAtom('devbox'))).toMatchObject({ state: 'stalled' });
    stop();
  });

  it('dates a state from its first report, through repeats', async () => {
    const store = createStore();
    const fake = held();
    const stop = followConnections(fake.client, store);
    const stalled = {
      connection: 'devbox',
      state: 'stalled',
      message: null,
      retryAt: null,
      silentSince: null,
    } as const;
    fake.emit('connectionChanged', stalled);
    const first = store.get(linkStatusAtom('devbox'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    fake.emit('connectionChanged', stalled);
    // Unchanged: the same object, so no header re-renders.
    expect(store.get(linkStatusAtom('devbox'))).toBe(first);
    fake.emit('connectionChanged', { ...stalled, state: 'connected' });
    expect(store.get(linkStatusAtom('devbox'))!.since).toBeGreaterThan(first!.since);
    stop();
  });

  it('loads pending prompts and follows sshPrompt and sshPromptClosed', async () => {
    const store = createStore();
    const fake = held();
    const stop = followConnections(fake.client, store);
    fake.prompts([hostKeyPrompt('p1', 'devbox')]);
    await settle();
    expect(store.get(promptAtom('devbox'))?.id).toBe('p1');

    fake.emit('sshPrompt', secretPrompt('p2', 'devbox'));
    fake.emit('sshPrompt', secretPrompt('p3', 'other'));
    // A connection's blocks show its oldest question.
    expect(store.get(promptAtom('devbox'))?.id).toBe('p1');
    expect(store.get(promptAtom('other'))?.id).toBe('p3');

    fake.emit('sshPromptClosed', { promptId: 'p1' });
    expect(store.get(promptAtom('devbox'))?.id).toBe('p2');
    fake.emit('sshPromptClosed', { promptId: 'p2' });
    expect(store.get(promptAtom('devbox'))).toBeNull();
    stop();
  });

  it('does not bring back a prompt closed while the pending list was on its way', async () => {
    const store = createStore();
    const fake = held();
    const stop = followConnections(fake.client, store);
    fake.emit('sshPromptClosed', { promptId: 'p1' });
    fake.prompts([hostKeyPrompt('p1', 'devbox'), secretPrompt('p2', 'devbox')]);
    await settle();
    expect(store.get(promptsAtom).map((prompt) => prompt.id)).toEqual(['p2']);
    stop();
  });

  it('stops following when asked', async () => {
    const store = createStore();
    const fake = held();
    const stop = followConnections(fake.client, store);
    stop();
    fake.emit('sshPrompt', secretPrompt('p1', 'devbox'));
    fake.emit('connectionChanged', {
      connection: 'x',
      state: 'connected',
      message: null,
      retryAt: null,
      silentSince: null,
    });
    expect(store.get(promptsAtom)).toEqual([]);
    expect(store.get(linkStatusesAtom)).toEqual({});
  });
});

describe('prompts and lists', () => {
  it('forgets an answered prompt at once', () => {
    const store = createStore();
    store.set(promptsAtom, [hostKeyPrompt('p1', 'devbox')]);
    forgetPrompt('p1', store);
    expect(store.get(promptsAtom)).toEqual([]);
  });

  it('loads the list again on demand, taking states no event has told since', async () => {
    const store = createStore();
    const fake = scriptedClient({ listConnections: async () => [localConnection, devbox] });
    await loadConnections(fake.client, store);
    expect(store.get(connectionListAtom)).toHaveLength(2);
    expect(store.get(linkStatusAtom('devbox'))?.state).toBe('connected');
    expect(fake.calls.map((call) => call.name)).toEqual(['listConnections']);
  });
});
