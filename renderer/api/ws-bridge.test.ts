import { describe, expect, it } from 'vitest';
import type { AppInfo, OutputEvent } from '../../preload/contract';
import { decode, encode } from '../../preload/wire';
import type { ClientMessage, ServerMessage } from '../../preload/wire';
import { createWebSocketBridge, hostSocketUrl, LOST_CONNECTION } from './ws-bridge';
import type { ConnectionStatus, SocketHandlers } from './ws-bridge';

/** Stands in for the host end of the socket. */
function fakeHost() {
  const sent: ClientMessage[] = [];
  let handlers: SocketHandlers | undefined;
  let url = '';
  const factory = (socketUrl: string, socketHandlers: SocketHandlers) => {
    url = socketUrl;
    handlers = socketHandlers;
    return { send: (frame: string | Uint8Array) => sent.push(decode(frame) as ClientMessage) };
  };
  const socket = () => {
    if (!handlers) throw new Error('socket not opened');
    return handlers;
  };
  return {
    factory,
    sent,
    url: () => url,
    open: () => socket().open(),
    close: () => socket().close(),
    reply: (message: ServerMessage) => socket().message(encode(message)),
  };
}

const appInfo: AppInfo = {
  version: '0.1.0',
  mode: 'browser',
  dataDir: '/tmp/tether',
  platform: 'linux',
  notices: [],
};

describe('createWebSocketBridge', () => {
  it('builds the socket URL from the page location', () => {
    expect(hostSocketUrl({ protocol: 'http:', host: '127.0.0.1:4711' })).toBe(
      'ws://127.0.0.1:4711/ws',
    );
    expect(hostSocketUrl({ protocol: 'https:', host: 'localhost' })).toBe('wss://localhost/ws');
  });

  it('queues requests until the socket opens, then sends them in order', async () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    expect(host.url()).toBe('ws://host/ws');
    expect(bridge.connection.status()).toBe('connecting');
    const info = bridge.requests.appInfo({});
    const workspace = bridge.requests.loadWorkspace({});
    expect(host.sent).toEqual([]);
    host.open();
    expect(bridge.connection.status()).toBe('connected');
    expect(host.sent).toEqual([
      { t: 'req', id: 1, name: 'appInfo', payload: {} },
      { t: 'req', id: 2, name: 'loadWorkspace', payload: {} },
    ]);
    // Replies may come in any order; they are matched by id.
    host.reply({ t: 'res', id: 2, ok: true, value: [] });
    host.reply({ t: 'res', id: 1, ok: true, value: appInfo });
    await expect(info).resolves.toEqual({ ok: true, value: appInfo });
    await expect(workspace).resolves.toEqual({ ok: true, value: [] });
  });

  it('passes errors through as failed results', async () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    host.open();
    const reply = bridge.requests.detachZone({ zone: 'z', blockId: 'b' });
    const error = { code: 'not_found', message: 'No such zone' } as const;
    host.reply({ t: 'res', id: 1, ok: false, error });
    await expect(reply).resolves.toEqual({ ok: false, error });
  });

  it('dispatches events by name with binary payloads intact', () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    host.open();
    const outputs: OutputEvent[] = [];
    const notices: string[] = [];
    const stop = bridge.events.zoneOutput((event) => outputs.push(event));
    bridge.events.notice((notice) => notices.push(notice.message));
    const data = new Uint8Array([27, 91, 109, 0, 255]);
    host.reply({ t: 'evt', name: 'zoneOutput', payload: { zone: 'z', offset: 10, data } });
    host.reply({ t: 'evt', name: 'notice', payload: { level: 'info', message: 'hello' } });
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.offset).toBe(10);
    expect([...(outputs[0]?.data ?? [])]).toEqual([...data]);
    expect(notices).toEqual(['hello']);
    stop();
    host.reply({ t: 'evt', name: 'zoneOutput', payload: { zone: 'z', offset: 15, data } });
    expect(outputs).toHaveLength(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    host.open();
    const seen: string[] = [];
    const error = console.error;
    console.error = () => {};
    try {
      bridge.events.notice(() => {
        throw new Error('boom');
      });
      bridge.events.notice((notice) => seen.push(notice.message));
      host.reply({
        t: 'evt',
        name: 'notice',
        payload: { level: 'warning', message: 'still here' },
      });
    } finally {
      console.error = error;
    }
    expect(seen).toEqual(['still here']);
  });

  it('ignores malformed messages and replies to unknown ids', async () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    host.open();
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const reply = bridge.requests.appInfo({});
      host.reply({ t: 'res', id: 99, ok: true, value: 'stray' });
      host.reply({ t: 'evt', name: 'bogus' as 'notice', payload: {} });
      host.reply({ t: 'res', id: 1, ok: true, value: appInfo });
      await expect(reply).resolves.toEqual({ ok: true, value: appInfo });
      expect(warnings).toHaveLength(1);
    } finally {
      console.warn = warn;
    }
  });

  it('fails pending and later requests when the connection is lost, and says so', async () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    const statuses: ConnectionStatus[] = [];
    bridge.connection.onChange((status) => statuses.push(status));
    host.open();
    const pending = bridge.requests.loadWorkspace({});
    host.close();
    await expect(pending).resolves.toEqual({ ok: false, error: LOST_CONNECTION });
    await expect(bridge.requests.appInfo({})).resolves.toEqual({
      ok: false,
      error: LOST_CONNECTION,
    });
    expect(LOST_CONNECTION.message).toBe('Lost connection to the Tether host');
    expect(statuses).toEqual(['connected', 'lost']);
    expect(bridge.connection.status()).toBe('lost');
  });

  it('fails queued requests when the socket closes before opening', async () => {
    const host = fakeHost();
    const bridge = createWebSocketBridge('ws://host/ws', host.factory);
    const queued = bridge.requests.appInfo({});
    host.close();
    await expect(queued).resolves.toEqual({ ok: false, error: LOST_CONNECTION });
    expect(host.sent).toEqual([]);
  });
});
