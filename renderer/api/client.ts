/**
 * The renderer's one door to the core. Picks the bridge (the Electron
 * preload's `window.tether`, else the browser-mode WebSocket) and turns its
 * `Result`s into values or thrown `TetherError`s, so callers just await.
 */
import type {
  Bridge,
  EventName,
  EventPayload,
  Payload,
  Reply,
  RequestName,
} from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { openWorkerSocket } from './worker-socket';
import { createWebSocketBridge, hostSocketUrl, openWebSocket } from './ws-bridge';
import type { ConnectionSource, ConnectionStatus } from './ws-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    tether?: Bridge;
  }
}

export type TetherClient = {
  /** Send a request; resolves to its reply or throws a TetherError. */
  request<K extends RequestName>(name: K, payload: Payload<K>): Promise<Reply<K>>;
  /** Listen to an event; returns the unsubscribe function. */
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  connection: ConnectionSource;
};

/** In Electron the core is in-process with the window: the link can't drop. */
const alwaysConnected: ConnectionSource = {
  status: (): ConnectionStatus => 'connected',
  onChange: () => () => {},
};

export function createClient(
  bridge: Bridge,
  connection: ConnectionSource = alwaysConnected,
): TetherClient {
  return {
    async request(name, payload) {
      let result;
      try {
        result = await bridge.requests[name](payload);
      } catch (error) {
        // A bridge should resolve to a Result; a rejection means the binding itself broke.
        throw TetherError.from(error);
      }
      if (!result.ok) throw TetherError.fromWire(result.error);
      return result.value;
    },
    on(name, listener) {
      return bridge.events[name](listener);
    },
    connection,
  };
}

let shared: TetherClient | undefined;

/** The window's client, made on first use so importing this module has no effects. */
export function getClient(): TetherClient {
  if (!shared) {
    if (window.tether) {
      shared = createClient(window.tether);
    } else {
      const socket = typeof Worker === 'function' ? openWorkerSocket : openWebSocket;
      const bridge = createWebSocketBridge(hostSocketUrl(window.location), socket);
      shared = createClient(bridge, bridge.connection);
    }
  }
  return shared;
}
