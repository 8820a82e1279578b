/**
 * The host key decision of a connection, as OpenSSH makes it: a key in
 * known_hosts is trusted, a changed or revoked one is refused with a message
 * that says how to fix it, an unknown one is up to StrictHostKeyChecking (and
 * the person, when it is `ask`).
 */
import { readFile } from 'node:fs/promises';
import { addKnownHost } from './known-hosts-file';
import {
  checkHostKey,
  fingerprint,
  hostPatternFor,
  keyType,
  knownKeyTypes,
  parseKnownHosts,
} from './known-hosts';
import type { ResolvedHost } from './ssh-config';
import { SshError, hostPort } from './ssh-errors';

/** Where known host keys are read from and new ones saved. */
export type KnownHostsStore = {
  read(): Promise<string>;
  add(host: string, port: number, key: Buffer): Promise<void>;
  /** The file, for messages (`ssh-keygen -R ... -f path`). */
  path?: string;
};

export type HostKeyQuestion = {
  host: string;
  port: number;
  fingerprint: string;
  keyType: string;
  kind: 'unknown';
};
export type HostKeyAnswer = 'once' | 'save' | 'reject';

/** known_hosts as a file: a missing file is empty; new lines are appended. */
export function knownHostsFile(path: string): KnownHostsStore {
  return {
    path,
    read: () =>
      readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      }),
    add: async (host, port, key) => {
      await addKnownHost(path, host, port, key);
    },
  };
}

/**
 * The store for a target, as OpenSSH reads it: every UserKnownHostsFile and
 * GlobalKnownHostsFile (a missing one is empty); a new key is saved to the first
 * UserKnownHostsFile (none: nothing is saved).
 */
export function defaultKnownHosts(target: ResolvedHost): KnownHostsStore {
  const user = target.userKnownHostsFiles.map((path) => knownHostsFile(path));
  const global = target.globalKnownHostsFiles.map((path) => knownHostsFile(path));
  const readAll = () =>
    Promise.all([
      ...user.map((file) => file.read()),
      // The system's files are read when they can be; one we may not read is not our error.
      ...global.map((file) => file.read().catch(() => '')),
    ]);
  const first = target.userKnownHostsFiles[0];
  const saveTo = first ? knownHostsFile(first) : undefined;
  return {
    ...(first ? { path: first } : {}),
    read: async () => (await readAll()).join('\n'),
    add: async (host, port, key) => {
      await saveTo?.add(host, port, key);
    },
  };
}

/**
 * The name and port known_hosts uses for the target: HostKeyAlias as written
 * (no port, like OpenSSH), else the host name with its port.
 */
export function knownHostsName(target: ResolvedHost): { host: string; port: number } {
  return target.hostKeyAlias
    ? { host: target.hostKeyAlias, port: 22 }
    : { host: target.hostName, port: target.port };
}

/** All host key algorithms ssh2 supports, in its default order. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
export type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

/**
 * The host key algorithms to offer, the known key types first so a server
 * with several host keys shows the one known_hosts can check; null (ssh2's
 * defaults) when nothing is known.
 */
export function hostKeyAlgorithms(knownHostsText: string, target: ResolvedHost) {
  const { host, port } = knownHostsName(target);
  const known = knownKeyTypes(parseKnownHosts(knownHostsText), host, port);
  if (known.length === 0) return null;
  const algorithmsOf = (type: string): readonly string[] =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
  const first = known.flatMap(algorithmsOf);
  return [
    ...HOST_KEY_ALGORITHMS.filter((a) => first.includes(a)),
    ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a)),
  ];
}

export type VerifyOptions = {
  target: ResolvedHost;
  store: KnownHostsStore;
  ask(question: HostKeyQuestion): Promise<HostKeyAnswer>;
  log?: ((message: string) => void) | undefined;
};

/** Resolves when the key may be used; rejects with an SshError saying why not. */
export async function verifyHostKey(key: Buffer, options: VerifyOptions): Promise<void> {
  const { target, store } = options;
  const log = options.log ?? (() => {});
  const where = hostPort(target.hostName, target.port);
  const name = knownHostsName(target);
  const type = safeKeyType(key);
  const print = fingerprint(key);
  let text: string;
  try {
    text = await store.read();
  } catch (error) {
    throw new SshError(
      'host_key_rejected',
      `cannot check the host key of ${where}: known_hosts is not readable (${(error as Error).message})`,
      { cause: error },
    );
  }
  const verdict = checkHostKey(parseKnownHosts(text), name.host, name.port, key);
  const file = store.path ?? 'known_hosts';
  if (verdict.kind === 'trusted') {
    log(`host key of ${where} (${type} ${print}) found in ${file}:${verdict.line}`);
    return;
  }
  if (verdict.kind === 'revoked') {
    throw new SshError(
      'host_key_revoked',
      `the host key of ${where} (${type} ${print}) is marked @revoked in ${file} line ${verdict.line}: ` +
        'refusing to connect. Ask the server administrator for its current key.',
    );
  }
  if (verdict.kind === 'changed') {
    const pattern = hostPatternFor(name.host, name.port);
    const expected = verdict.expected
      .map((e) => `${e.fingerprint} (${e.type}, ${file} line ${e.line})`)
      .join(', ');
    const fileArg = store.path ? ` -f "${store.path}"` : '';
    throw new SshError(
      'host_key_changed',
      `the host key of ${where} has changed: the server now shows ${print} (${type}), ` +
        `but known_hosts expects ${expected}. Someone may be intercepting the connection, ` +
        'or the server was reinstalled. If you trust the new key, remove the old one with ' +
        `ssh-keygen -R "${pattern}"${fileArg} and connect again.`,
    );
  }

  const strict = target.strictHostKeyChecking;
  if (strict === 'yes') {
    throw new SshError(
      'host_key_rejected',
      `the host key of ${where} (${type} ${print}) is not in ${file}, ` +
        'and StrictHostKeyChecking is yes: add the key to known_hosts first.',
    );
  }
  let answer: HostKeyAnswer = 'save';
  if (strict === 'ask') {
    answer = await options.ask({
      host: target.hostName,
      port: target.port,
      fingerprint: print,
      keyType: type,
      kind: 'unknown',
    });
  } else {
    log(`new host key of ${where} (${type} ${print}) accepted: StrictHostKeyChecking ${strict}`);
  }
  if (answer === 'reject') {
    throw new SshError(
      'host_key_rejected',
      `the host key of ${where} (${type} ${print}) was not accepted.`,
    );
  }
  if (answer === 'save') {
    try {
      await store.add(name.host, name.port, key);
      log(`added ${hostPatternFor(name.host, name.port)} (${type}) to ${file}`);
    } catch (error) {
      // As ssh: the connection goes on, the key will be asked for again next time.
      log(`could not add the host key to ${file}: ${(error as Error).message}`);
    }
  }
}

function safeKeyType(key: Buffer): string {
  try {
    return keyType(key);
  } catch {
    return 'unknown';
  }
}
