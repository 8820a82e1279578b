import { describe, expect, it, vi } from 'vitest';
import type {
  AttachReply,
  Bridge,
  EventName,
  EventPayload,
  OutputEvent,
  Result,
} from '../../preload/contract';
import { createClient } from './client';
import { TetherError } from '../../preload/tether-error';
import type { ConnectionSource, ConnectionStatus } from './ws-bridge';
import { sessionInfo } from '../testing/session-fixtures';

type Call = { name: string; payload: unknown };

/** A bridge whose replies the test decides, recording every call in order. */
function fakeBridge(reply: (name: string, payload: unknown) => Promise<Result<unknown>>) {
  const calls: Call[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const request = (name: string) => (payload: unknown) => {
    calls.push({ name, payload });
    return reply(name, payload);
  };
  const subscribe = (name: string) => (listener: (payload: unknown) => void) => {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    set.add(listener);
    return () => set.delete(listener);
  };
  const bridge = {
    requests: new Proxy({}, { get: (_, name: string) => request(name) }),
    events: new Proxy({}, { get: (_, name: string) => subscribe(name) }),
  } as unknown as Bridge;
  const emit = <K extends EventName>(name: K, payload: EventPayload<K>) => {
    for (const listener of listeners.get(name) ?? []) listener(payload);
  };
  return { bridge, calls, emit, listenerCount: (name: string) => listeners.get(name)?.size ?? 0 };
}

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });

describe('createClient', () => {
  it('resolves to the reply value of a successful request', async () => {
    const attached: AttachReply = {
      zone: '7d1f4f4e-8a51-4bb4-9e8c-0ea0f3c1d6a2',
      snapshot: new Uint8Array([104, 105]),
      offset: 2,
      session: sessionInfo('7d1f4f4e-8a51-4bb4-9e8c-0ea0f3c1d6a2'),
    };
    const fake = fakeBridge(() => ok(attached));
    const client = createClient(fake.bridge);
    const payload = { blockId: 'c0ffee00-0000-4000-8000-000000000000', cols: 80, rows: 24 };
    const reply = await client.request('attachBlock', payload);
    expect(reply).toBe(attached);
    expect(fake.calls).toEqual([{ name: 'attachBlock', payload }]);
  });

  it('throws a TetherError carrying the code and message of a failed request', async () => {
    const fake = fakeBridge(() =>
      Promise.resolve({
        ok: false,
        error: { code: 'shell_not_found', message: 'Shell not found or not executable: /x' },
      }),
    );
    const client = createClient(fake.bridge);
    const failure = client.request('attachBlock', {
      blockId: 'c0ffee00-0000-4000-8000-000000000000',
      cols: 80,
      rows: 24,
    });
    await expect(failure).rejects.toBeInstanceOf(TetherError);
    await expect(failure).rejects.toMatchObject({
      code: 'shell_not_found',
      message: 'Shell not found or not executable: /x',
    });
  });

  it('turns a rejecting bridge into an internal TetherError', async () => {
    const fake = fakeBridge(() => Promise.reject(new Error('ipc channel closed')));
    const client = createClient(fake.bridge);
    await expect(client.request('appInfo', {})).rejects.toMatchObject({
      name: 'TetherError',
      code: 'internal',
      message: 'ipc channel closed',
    });
  });

  it('sends requests in call order without waiting for earlier replies', async () => {
    const resolvers: (() => void)[] = [];
    const fake = fakeBridge(
      () => new Promise((resolve) => resolvers.push(() => resolve({ ok: true, value: undefined }))),
    );
    const client = createClient(fake.bridge);
    const zone = '7d1f4f4e-8a51-4bb4-9e8c-0ea0f3c1d6a2';
    const blockId = 'c0ffee00-0000-4000-8000-000000000000';
    const writes = ['l', 's', '\r'].map((data) =>
      client.request('writeZone', { zone, blockId, data }),
    );
    expect(fake.calls.map((call) => (call.payload as { data: string }).data)).toEqual([
      'l',
      's',
      '\r',
    ]);
    for (const resolve of resolvers) resolve();
    await expect(Promise.all(writes)).resolves.toEqual([undefined, undefined, undefined]);
  });

  it('delivers events to listeners until they unsubscribe', () => {
    const fake = fakeBridge(() => ok(undefined));
    const client = createClient(fake.bridge);
    const seen: OutputEvent[] = [];
    const unsubscribe = client.on('zoneOutput', (event) => seen.push(event));
    const chunk: OutputEvent = { zone: 'z', offset: 0, data: new Uint8Array([1, 2, 3]) };
    fake.emit('zoneOutput', chunk);
    expect(seen).toEqual([chunk]);
    unsubscribe();
    expect(fake.listenerCount('zoneOutput')).toBe(0);
    fake.emit('zoneOutput', { ...chunk, offset: 3 });
    expect(seen).toHaveLength(1);
  });

  it('reports the Electron bridge as always connected', () => {
    const client = createClient(fakeBridge(() => ok(undefined)).bridge);
    expect(client.connection.status()).toBe('connected');
    const listener = vi.fn();
    client.connection.onChange(listener)();
    expect(listener).not.toHaveBeenCalled();
  });

  it('passes a given connection source through', () => {
    let status: ConnectionStatus = 'connecting';
    const connection: ConnectionSource = { status: () => status, onChange: () => () => {} };
    const client = createClient(fakeBridge(() => ok(undefined)).bridge, connection);
    status = 'lost';
    expect(client.connection.status()).toBe('lost');
  });
});
