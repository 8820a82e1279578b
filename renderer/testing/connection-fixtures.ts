/**
 * Test doubles for the renderer's connection code: `ConnectionInfo` and
 * `SshPrompt` values with plain defaults, and a client whose requests answer
 * as the test says and whose events the test emits. Tests only.
 */
import type {
  ConnectionInfo,
  EventName,
  EventPayload,
  Payload,
  Reply,
  RequestName,
  SshPrompt,
} from '../../preload/contract';
import type { TetherClient } from '../api/client';

/** An SSH connection from ~/.ssh/config, never used, nothing reported on its link. */
export function connectionInfo(
  name: string,
  changes: Partial<ConnectionInfo> = {},
): ConnectionInfo {
  return {
    name,
    kind: 'ssh',
    target: `tester@${name}.example:22`,
    fromConfig: true,
    lastUsedAt: null,
    status: { connection: name, state: 'idle', message: null, retryAt: null, silentSince: null },
    ...changes,
  };
}

export const localConnection: ConnectionInfo = {
  name: 'local',
  kind: 'local',
  target: null,
  fromConfig: false,
  lastUsedAt: null,
  status: { connection: 'local', state: 'ready', message: null, retryAt: null, silentSince: null },
};

/** An unknown host key question for a connection. */
export function hostKeyPrompt(id: string, connection: string): SshPrompt {
  return {
    id,
    connection,
    kind: 'hostKey',
    title: `The authenticity of host [127.0.0.1]:2222 can't be established.`,
    detail: null,
    hostKey: {
      host: '[127.0.0.1]:2222',
      keyType: 'ssh-ed25519',
      fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    },
    fields: [],
  };
}

/** A passphrase or password question with the given fields. */
export function secretPrompt(
  id: string,
  connection: string,
  fields: SshPrompt['fields'] = [{ label: 'Passphrase', secret: true }],
): SshPrompt {
  return {
    id,
    connection,
    kind: fields.length === 1 ? 'passphrase' : 'keyboardInteractive',
    title: `Enter the passphrase for ${connection}`,
    detail: null,
    fields,
  };
}

type Handlers = {
  [K in RequestName]?: (payload: Payload<K>) => Promise<Reply<K>>;
};

/**
 * A client that answers the requests it has handlers for (others fail the
 * test), logs every request, and lets the test emit events.
 */
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
  return { client, calls, emit, handlers };
}
