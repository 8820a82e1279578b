/**
 * Test doubles for the renderer's connection code: `ConnectionInfo` and
 * `SshPrompt` values with plain defaults, and a client whose requests answer
 * as the test says and whose events the test emits. Tests only.
 */
import type { ConnectionInfo, SshPrompt } from '../../preload/contract';

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

export { scriptedClient } from './scripted-client';
