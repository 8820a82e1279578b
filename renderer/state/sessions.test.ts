import { createStore } from 'jotai';
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../preload/contract';
import {
  followSessions,
  mergeListed,
  SessionAtoms,
  sessionsAtom,
  sessionsOn,
  setBlockSession,
  withoutSession,
} from './sessions';
import { blocksAtom } from './workspace';
import { scriptedClient } from '../testing/scripted-client';
import { sessionInfo as session } from '../testing/session-fixtures';

/** A client whose `listSessions` reply the test releases, and whose events it emits. */
function fakeClient() {
  let answer: { resolve(list: SessionInfo[]): void; reject(error: unknown): void } | undefined;
  const { client, emit, listenerCount } = scriptedClient({
    listSessions: () => new Promise((resolve, reject) => (answer = { resolve, reject })),
  });
  return { client, emit, listenerCount, list: () => answer! };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('mergeListed', () => {
  it('takes the list as the truth', () => {
    const stale = session('a', { displayName: 'old' });
    const merged = mergeListed({ a: stale, gone: session('gone') }, [session('a')], new Set());
    expect(merged).toEqual({ a: session('a') });
  });

  it('keeps what events said while the list was on its way', () => {
    const renamed = session('a', { displayName: 'renamed' });
    const merged = mergeListed({ a: renamed }, [session('a'), session('b')], new Set(['a', 'b']));
    // a was renamed, b was removed after the list was made.
    expect(merged).toEqual({ a: renamed });
  });
});

describe('mergeListed with a scope', () => {
  const onLocal = (one: SessionInfo) => one.connection === 'local';

  it('keeps the sessions the list does not cover', () => {
    const remote = session('r', { connection: 'me@box' });
    const merged = mergeListed({ r: remote, a: session('a') }, [session('a')], new Set(), onLocal);
    expect(merged.r).toBe(remote);
    expect(Object.keys(merged).sort()).toEqual(['a', 'r']);
  });

  it('drops covered sessions missing from the list', () => {
    const remote = session('r', { connection: 'me@box' });
    const current = { r: remote, a: session('a'), gone: session('gone') };
    const merged = mergeListed(current, [session('a')], new Set(), onLocal);
    expect(Object.keys(merged).sort()).toEqual(['a', 'r']);
  });

  it('keeps the current value of sessions touched while the list was on its way', () => {
    const renamed = session('a', { displayName: 'renamed' });
    const merged = mergeListed(
      { a: renamed },
      [session('a', { displayName: 'stale' })],
      new Set(['a']),
      onLocal,
    );
    expect(merged.a).toBe(renamed);
  });

  it('keeps the object of an unchanged session and takes a changed one', () => {
    const same = session('a');
    const changed = session('b');
    const merged = mergeListed(
      { a: same, b: changed },
      [session('a'), session('b', { status: 'done' })],
      new Set(),
      onLocal,
    );
    expect(merged.a).toBe(same);
    expect(merged.b).toEqual(session('b', { status: 'done' }));
    expect(merged.b).not.toBe(changed);
  });

  it('sees a change in the attached blocks, and equal blocks in a new array as unchanged', () => {
    const shown = session('a', { attachedBlocks: ['x'] });
    const same = mergeListed({ a: shown }, [session('a', { attachedBlocks: ['x'] })], new Set());
    expect(same.a).toBe(shown);
    const more = session('a', { attachedBlocks: ['x', 'y'] });
    expect(mergeListed({ a: shown }, [more], new Set()).a).toBe(more);
    const other = session('a', { attachedBlocks: ['y'] });
    expect(mergeListed({ a: shown }, [other], new Set()).a).toBe(other);
  });
});

describe('SessionAtoms', () => {
  it('gives the same atom for a session until it is released', () => {
    const atoms = new SessionAtoms();
    const release = atoms.retain('a');
    const first = atoms.of('a');
    expect(atoms.of('a')).toBe(first);
    expect(atoms.of('b')).not.toBe(first);
    release();
    expect(atoms.of('a')).not.toBe(first);
  });

  it('drops a member when its last user lets it go', () => {
    const atoms = new SessionAtoms();
    const releaseOne = atoms.retain('a');
    const releaseTwo = atoms.retain('a');
    const releaseOther = atoms.retain('b');
    expect(atoms.size).toBe(2);
    releaseOne();
    expect(atoms.size).toBe(2);
    releaseTwo();
    expect(atoms.size).toBe(1);
    releaseOther();
    expect(atoms.size).toBe(0);
  });

  it('ignores a second release', () => {
    const atoms = new SessionAtoms();
    const releaseOne = atoms.retain('a');
    const releaseTwo = atoms.retain('a');
    releaseOne();
    releaseOne();
    // The second user still holds it: a double release must not count as theirs.
    expect(atoms.size).toBe(1);
    const held = atoms.of('a');
    expect(atoms.of('a')).toBe(held);
    releaseTwo();
    expect(atoms.size).toBe(0);
  });

  it('follows sessionsAtom', () => {
    const store = createStore();
    const atoms = new SessionAtoms();
    const release = atoms.retain('a');
    expect(store.get(atoms.of('a'))).toBeNull();
    store.set(sessionsAtom, { a: session('a') });
    expect(store.get(atoms.of('a'))).toEqual(session('a'));
    store.set(sessionsAtom, { a: session('a', { status: 'done' }) });
    expect(store.get(atoms.of('a'))?.status).toBe('done');
    store.set(sessionsAtom, {});
    expect(store.get(atoms.of('a'))).toBeNull();
    release();
  });

  it("keeps a session's value when another session changes", () => {
    const store = createStore();
    const atoms = new SessionAtoms();
    atoms.retain('a');
    const a = session('a');
    store.set(sessionsAtom, { a, b: session('b') });
    const before = store.get(atoms.of('a'));
    let changes = 0;
    const unsubscribe = store.sub(atoms.of('a'), () => (changes += 1));
    store.set(sessionsAtom, (sessions) => ({ ...sessions, b: session('b', { status: 'done' }) }));
    expect(store.get(atoms.of('a'))).toBe(before);
    expect(changes).toBe(0);
    store.set(sessionsAtom, (sessions) => ({ ...sessions, a: session('a', { status: 'done' }) }));
    expect(changes).toBe(1);
    unsubscribe();
  });
});

describe('sessionsOn', () => {
  it('lists one connection, most recently active first', () => {
    const sessions = {
      a: session('a', { lastActiveAt: 5 }),
      b: session('b', { lastActiveAt: 9 }),
      c: session('c', { connection: 'me@box', lastActiveAt: 99 }),
    };
    expect(sessionsOn(sessions, 'local').map((found) => found.id)).toEqual(['b', 'a']);
  });
});

describe('withoutSession', () => {
  it('returns the same object when there was nothing to remove', () => {
    const sessions = { a: session('a') };
    expect(withoutSession(sessions, 'b')).toBe(sessions);
    expect(withoutSession(sessions, 'a')).toEqual({});
  });
});

describe('followSessions', () => {
  it('loads the list, then follows changes and removals', async () => {
    const store = createStore();
    const fake = fakeClient();
    const stop = followSessions(fake.client, store);
    fake.list().resolve([session('a'), session('b')]);
    await settle();
    expect(Object.keys(store.get(sessionsAtom))).toEqual(['a', 'b']);

    fake.emit('sessionChanged', { session: session('a', { status: 'done' }) });
    fake.emit('sessionRemoved', { sessionId: 'b' });
    expect(store.get(sessionsAtom)).toEqual({ a: session('a', { status: 'done' }) });

    stop();
    expect(fake.listenerCount()).toBe(0);
  });

  it('lets events that overtake the list win', async () => {
    const store = createStore();
    const fake = fakeClient();
    followSessions(fake.client, store);
    fake.emit('sessionChanged', { session: session('a', { displayName: 'fresh' }) });
    fake.emit('sessionRemoved', { sessionId: 'b' });
    fake.list().resolve([session('a', { displayName: 'stale' }), session('b'), session('c')]);
    await settle();
    const sessions = store.get(sessionsAtom);
    expect(sessions.a?.displayName).toBe('fresh');
    expect(Object.keys(sessions).sort()).toEqual(['a', 'c']);
  });

  it('updates the blocks of this window the core changed', () => {
    const store = createStore();
    const fake = fakeClient();
    store.set(blocksAtom, { x: { id: 'x', connection: 'local', createdAt: 1, sessionId: 'a' } });
    followSessions(fake.client, store);
    fake.emit('blockChanged', {
      block: { id: 'x', connection: 'local', createdAt: 1, sessionId: null },
    });
    fake.emit('blockChanged', {
      block: { id: 'y', connection: 'local', createdAt: 1, sessionId: 'a' },
    });
    expect(store.get(blocksAtom)).toEqual({
      x: { id: 'x', connection: 'local', createdAt: 1, sessionId: null },
    });
  });
});

describe('setBlockSession', () => {
  it('changes a known block and leaves unknown ones alone', () => {
    const store = createStore();
    const before = { x: { id: 'x', connection: 'local', createdAt: 1, sessionId: 'a' } };
    store.set(blocksAtom, before);
    setBlockSession('y', 'b', store);
    expect(store.get(blocksAtom)).toBe(before);
    setBlockSession('x', 'b', store);
    expect(store.get(blocksAtom).x?.sessionId).toBe('b');
  });
});
