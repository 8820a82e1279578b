/**
 * The contract over a WebSocket, for browser mode: the same `Bridge` shape
 * the Electron preload exposes, so nothing above this file knows which one it
 * talks to. The host authenticates the socket by the cookie it set when it
 * served the page, so no token is handled here.
 */
import { eventNames, requestNames } from '../../preload/contract';
import type { Bridge, EventName, RequestName, Result, WireError } from '../../preload/contract';
import { decode, encode } from '../../preload/wire';
import type { ClientMessage, ServerMessage } from '../../preload/wire';

export type ConnectionStatus = 'connecting' | 'connected' | 'lost';

/** Whether the host can be reached; the Electron bridge is always `connected`. */
export type ConnectionSource = {
  status(): ConnectionStatus;
  onChange(listener: (status: ConnectionStatus) => void): () => void;
};

export type WebSocketBridge = Bridge & { connection: ConnectionSource };

/** What the bridge needs from a socket; a seam so tests can stand in for the host. */
export type SocketHandlers = {
  open(): void;
  message(frame: string | Uint8Array): void;
  close(): void;
};
export type Socket = { send(frame: string | Uint8Array): void };
export type SocketFactory = (url: string, handlers: SocketHandlers) => Socket;

export const LOST_CONNECTION: WireError = {
  code: 'internal',
  message: 'Lost connection to the Tether host',
};

/** The WebSocket URL of the host that served this page. */
export function hostSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

export const openWebSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('open', () => handlers.open());
  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    const { data } = event;
    if (typeof data === 'string') handlers.message(data);
    else if (data instanceof ArrayBuffer) handlers.message(new Uint8Array(data));
  });
  // 'error' is always followed by 'close', so close alone ends the session.
  socket.addEventListener('close', () => handlers.close());
  return { send: (frame) => socket.send(frame) };
};

export function createWebSocketBridge(
  url: string,
  openSocket: SocketFactory = openWebSocket,
): WebSocketBridge {
  let status: ConnectionStatus = 'connecting';
  let nextId = 1;
  const queued: (string | Uint8Array)[] = [];
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();

  const setStatus = (next: ConnectionStatus) => {
    if (status === next) return;
    status = next;
    for (const listener of [...statusListeners]) listener(next);
  };

  const socket = openSocket(url, {
    open() {
      setStatus('connected');
      for (const frame of queued.splice(0)) socket.send(frame);
    },
    message(frame) {
      let message: unknown;
      try {
        message = decode(frame);
      } catch (error) {
        console.warn('tether: undecodable frame from host', error);
        return;
      }
      if (!isServerMessage(message)) {
        console.warn('tether: unexpected message from host', message);
        return;
      }
      receive(message);
    },
    close() {
      queued.length = 0;
      setStatus('lost');
      const resolvers = [...pending.values()];
      pending.clear();
      for (const resolve of resolvers) resolve({ ok: false, error: LOST_CONNECTION });
    },
  });

  function receive(message: ServerMessage): void {
    if (message.t === 'res') {
      const resolve = pending.get(message.id);
      if (!resolve) return;
      pending.delete(message.id);
      resolve(
        message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error },
      );
      return;
    }
    for (const listener of [...(listeners.get(message.name) ?? [])]) {
      // One failing listener must not starve the others of the event.
      try {
        listener(message.payload);
      } catch (error) {
        console.error(`tether: ${message.name} listener failed`, error);
      }
    }
  }

  function send(name: RequestName, payload: unknown): Promise<Result<unknown>> {
    if (status === 'lost') return Promise.resolve({ ok: false, error: LOST_CONNECTION });
    const id = nextId++;
    const frame = encode({ t: 'req', id, name, payload } satisfies ClientMessage);
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (status === 'connected') socket.send(frame);
      else queued.push(frame);
    });
  }

  function subscribe(name: EventName, listener: (payload: unknown) => void): () => void {
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  // Built from the contract's name lists so a new entry needs no change here;
  // the casts only restore the per-name types those generic functions erase.
  const requests = Object.fromEntries(
    requestNames.map((name) => [name, (payload: unknown) => send(name, payload)]),
  ) as unknown as Bridge['requests'];
  const events = Object.fromEntries(
    eventNames.map((name) => [
      name,
      (listener: (payload: unknown) => void) => subscribe(name, listener),
    ]),
  ) as unknown as Bridge['events'];

  return {
    requests,
    events,
    connection: {
      status: () => status,
      onChange(listener) {
        statusListeners.add(listener);
        return () => {
          statusListeners.delete(listener);
        };
      },
    },
  };
}

function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.t === 'res') {
    if (typeof message.id !== 'number') return false;
    if (message.ok === true) return true;
    const error = message.error as Record<string, unknown> | null | undefined;
    return (
      message.ok === false &&
      typeof error === 'object' &&
      error !== null &&
      typeof error.code === 'string' &&
      typeof error.message === 'string'
    );
  }
  if (message.t === 'evt') return (eventNames as string[]).includes(message.name as string);
  return false;
}
