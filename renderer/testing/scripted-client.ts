/**
 * A client for renderer tests: it answers the requests it has handlers for
 * (any other fails the test), logs every request, and lets the test emit
 * events. Tests only.
 */
import type { EventName, EventPayload, Payload, Reply, RequestName } from '../../preload/contract';
import type { TetherClient } from '../api/client';

export type Handlers = {
  [K in RequestName]?: (payload: Payload<K>) => Promise<Reply<K>>;
};

export function scriptedClient(handlers: Handlers = {}) {
  const calls: { name: RequestName; payload: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const client = {
    request: (name: RequestName, payload: unknown) => {
      calls.push({ name, payload });
      const handler = handlers[name] as ((payload: unknown) => Promise<unknown>) | undefined;
      if (!handler) throw new Error(`unexpected request ${name}`);
      return handler(payload);
    },
    on: (name: string, listener: (payload: unknown) => void) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    connection: { status: () => 'connected', onChange: () => () => {} },
  } as unknown as TetherClient;
  const emit = <K extends EventName>(name: K, payload: EventPayload<K>) => {
    for (const listener of listeners.get(name) ?? []) listener(payload);
  };
  /** Event listeners still subscribed (a component that unmounted left none behind). */
  const listenerCount = () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0);
  return { client, calls, emit, handlers, listenerCount };
}
