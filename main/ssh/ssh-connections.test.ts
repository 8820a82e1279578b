/**
 * SshConnections against a real sshd behind a fault proxy: one shared
 * connection per target, its states, stall detection, and reconnection by
 * itself when the network comes back (but not after a login failure).
 * Short keepalives (1 s × 2) and backoff ([200, 400] ms) keep it quick.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy } from '../testing/ssh/fault-proxy';
import { writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd } from '../testing/ssh/test-sshd';
import type { ResolvedHost } from './ssh-config';
import { connectSsh, type SshLink } from './ssh-connect';
import { rejectionOf, resolveTestHost, runOver, testDeps } from './ssh-connect-testing';
import {
  SshConnections,
  connectionKey,
  type ConnectionChange,
  type ConnectionState,
} from './ssh-connections';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** Every change, and a wait for the first one (from an index on) that matches. */
function recorder(connections: SshConnections) {
  const events: ConnectionChange[] = [];
  const waiters = new Set<() => void>();
  connections.onChange((change) => {
    events.push(change);
    for (const wake of [...waiters]) wake();
  });
  const find = (match: (change: ConnectionChange) => boolean, from: number) =>
    events.findIndex((change, index) => index >= from && match(change));
  return {
    events,
    states: (from = 0) => events.slice(from).map((change) => change.state),
    /** The index of the first matching change at or after `from`. */
    until(match: (change: ConnectionChange) => boolean, from = 0): Promise<number> {
      return new Promise((resolve) => {
        const check = () => {
          const index = find(match, from);
          if (index < 0) return;
          waiters.delete(check);
          resolve(index);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

const is = (state: ConnectionState) => (change: ConnectionChange) => change.state === state;

async function setup(options: { alias?: string; target?: Partial<ResolvedHost> } = {}) {
  const sshd = cleanups.add(await startTestSshd());
  const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
  writeProxySetup(sshd, proxy.port);
  const target: ResolvedHost = {
    ...(await resolveTestHost(sshd, options.alias ?? 'viaproxy')),
    serverAliveIntervalS: 1,
    serverAliveCountMax: 2,
    ...options.target,
  };
  const deps = await testDeps(sshd, { timeoutMs: 2000 });
  const calls: ResolvedHost[] = [];
  const connections = new SshConnections({
    connect: (host) => {
      calls.push(host);
      return connectSsh(host, deps);
    },
    backoffMs: [200, 400],
  });
  cleanups.add({ close: () => connections.dispose() });
  const recorded = recorder(connections);
  return { sshd, proxy, target, key: connectionKey(target), calls, connections, ...recorded };
}

async function echoOk(link: SshLink) {
  expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
}

describe('connectionKey', () => {
  it('is user, host, port and the jump chain', async () => {
    const base = {
      user: 'me',
      hostName: 'example.com',
      port: 22,
      proxyJump: [],
    } as unknown as ResolvedHost;
    expect(connectionKey(base)).toBe('me@example.com:22');
    expect(connectionKey({ ...base, hostName: '::1' })).toBe('me@[::1]:22');
    expect(
      connectionKey({
        ...base,
        proxyJump: [
          { user: 'j', host: 'jump1', port: 2222 },
          { user: null, host: 'jump2', port: null },
        ],
      }),
    ).toBe('me@example.com:22 via j@jump1:2222,jump2');
    const keys = new Set([
      connectionKey(base),
      connectionKey({ ...base, user: 'other' }),
      connectionKey({ ...base, port: 2222 }),
      connectionKey({ ...base, proxyJump: [{ user: null, host: 'jump1', port: null }] }),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe('SshConnections against a real sshd', () => {
  it('concurrent acquires share one connection; another port is another connection', async () => {
    const { sshd, target, key, calls, connections, events, states, until } = await setup();
    const [first, second] = await Promise.all([
      connections.acquire(target),
      connections.acquire(target),
    ]);
    expect(calls).toHaveLength(1);
    expect(second).toBe(first);
    expect(await connections.acquire(target)).toBe(first);
    expect(calls).toHaveLength(1);
    const beforeEcho = Date.now();
    await echoOk(first);
    // The link notes when bytes arrive (what stall detection watches).
    expect(first.lastReceivedAt()).toBeGreaterThanOrEqual(beforeEcho);
    expect(connections.state(key)).toBe('connected');
    expect(states()).toEqual(['connecting', 'connected']);
    expect(events[0]).toEqual({ key, state: 'connecting', attempt: 1 });
    expect(events[1]).toEqual({ key, state: 'connected' });

    // The sshd directly (not through the proxy): a different port, a different connection.
    const direct = { ...(await resolveTestHost(sshd)), serverAliveIntervalS: 1 };
    expect(connectionKey(direct)).not.toBe(key);
    const other = await connections.acquire(direct);
    expect(other).not.toBe(first);
    expect(calls).toHaveLength(2);
    await until((change) => change.key === connectionKey(direct) && change.state === 'connected');
    expect(connections.keys().sort()).toEqual([key, connectionKey(direct)].sort());

    // close(key) ends that link only, with a last 'disconnected' and no retry.
    const closed = new Promise((resolve) => other.onClose(resolve));
    await connections.close(connectionKey(direct));
    expect(await closed).toBeNull();
    expect(connections.state(connectionKey(direct))).toBeUndefined();
    expect(events[events.length - 1]).toEqual({
      key: connectionKey(direct),
      state: 'disconnected',
    });
    await echoOk(first);
  });

  it('a stall is reported, keepalives then drop the link, and it reconnects once released', async () => {
    // Stalled after 1.5 s of silence; dropped only after 7 unanswered keepalives, so a busy
    // machine still sees the stall first.
    const { proxy, target, key, connections, events, until } = await setup({
      target: { serverAliveCountMax: 6 },
    });
    const first = await connections.acquire(target);
    await echoOk(first);

    const from = events.length;
    proxy.stall();
    const stalled = await until(is('stalled'), from);
    expect(connections.state(key)).toBe('stalled');
    const lost = await until(is('disconnected'), stalled);
    expect(events[lost]?.error).toMatchObject({ kind: 'connection_lost' });
    expect(events[lost]?.retryAt).toBeTypeOf('number');

    // It keeps trying on its own; once the network is back it gets through.
    await until(is('connecting'), lost);
    proxy.release();
    await until(is('connected'), lost);
    const second = await connections.acquire(target);
    expect(second).not.toBe(first);
    await echoOk(second);
    expect(connections.state(key)).toBe('connected');
  });

  it('a cut connection goes disconnected, then connected again by itself', async () => {
    const { proxy, target, key, connections, events, states, until } = await setup();
    const first = await connections.acquire(target);
    const from = events.length;
    proxy.cut();
    const connected = await until(is('connected'), from);
    expect(states(from).slice(0, 3)).toEqual(['disconnected', 'connecting', 'connected']);
    expect(events[from]?.error).toMatchObject({ kind: 'connection_lost' });
    expect(events[connected - 1]).toMatchObject({ state: 'connecting', attempt: 1 });
    const second = await connections.acquire(target);
    expect(second).not.toBe(first);
    await echoOk(second);
    expect(connections.state(key)).toBe('connected');
  });

  it('while the port refuses, attempts repeat with the backoff; once it listens, connected', async () => {
    const { proxy, target, connections, events, until } = await setup();
    await connections.acquire(target);
    const from = events.length;
    await proxy.refuse(true);
    proxy.cut();
    const third = await until(
      (change) => change.state === 'disconnected' && change.attempt === 3,
      from,
    );
    const tried = events.slice(from, third + 1);
    expect(tried.map((change) => [change.state, change.attempt, change.error?.kind])).toEqual([
      ['disconnected', undefined, 'connection_lost'],
      ['connecting', 1, undefined],
      ['disconnected', 1, 'connection_refused'],
      ['connecting', 2, undefined],
      ['disconnected', 2, 'connection_refused'],
      ['connecting', 3, undefined],
      ['disconnected', 3, 'connection_refused'],
    ]);
    await proxy.refuse(false);
    const connected = await until(is('connected'), third);
    expect(events[connected - 1]?.state).toBe('connecting');
    await echoOk(await connections.acquire(target));
  });

  it('a login failure is error, with no automatic retry; reconnect() tries again', async () => {
    const { target, key, calls, connections, events, states, until } = await setup({
      alias: 'testhost',
      target: { identityFiles: [] },
    });
    const error = await rejectionOf(connections.acquire(target));
    expect(error).toMatchObject({ kind: 'auth_failed' });
    expect(states()).toEqual(['connecting', 'error']);
    expect(events[1]).toMatchObject({ key, attempt: 1, error: { kind: 'auth_failed' } });
    expect(events[1]?.retryAt).toBeUndefined();
    expect(connections.state(key)).toBe('error');

    // Longer than two backoff steps (200 + 400 ms): nothing happens by itself.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(states()).toEqual(['connecting', 'error']);
    expect(calls).toHaveLength(1);

    const again = await rejectionOf(connections.reconnect(key));
    expect(again).toMatchObject({ kind: 'auth_failed' });
    await until(is('error'), 2);
    expect(states()).toEqual(['connecting', 'error', 'connecting', 'error']);
    expect(events[2]).toMatchObject({ attempt: 2 });
    expect(calls).toHaveLength(2);
  });

  it('dispose() closes the links; no events and no reconnects after', async () => {
    const { proxy, target, connections, events } = await setup();
    const link = await connections.acquire(target);
    const closed = new Promise((resolve) => link.onClose(resolve));
    const from = events.length;
    await connections.dispose();
    expect(await closed).toBeNull();
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.length).toBe(from);
    expect(await rejectionOf(connections.acquire(target))).toMatchObject({
      message: expect.stringMatching(/disposed/),
    });
  });
});
