/**
 * One SSH connection with ssh2, set up the way OpenSSH would for the same
 * ResolvedHost: the host key checked against known_hosts, logins tried in
 * OpenSSH's order (ssh-auth.ts), ProxyJump hops, keepalives for stall
 * detection, and failures as SshErrors a person can act on.
 *
 * Names are resolved here (deps.resolve), never by ssh2: the socket is made
 * by us and handed over as `sock`. The connect timeout covers the network
 * (resolve, TCP, handshake, login round trips) but not the time a prompt
 * waits for the person.
 */
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { makeAuthHandler, type AuthPrompts } from './ssh-auth';
import type { JumpHop, ResolvedHost } from './ssh-config';
import {
  defaultKnownHosts,
  hostKeyAlgorithms,
  verifyHostKey,
  type HostKeyAnswer,
  type HostKeyQuestion,
  type KnownHostsStore,
} from './ssh-connect-hostkey';
import { Timer } from './connect-timer';
import { SshError, hostPort, toSshError } from './ssh-errors';
import { forwardThrough, jumpFailed, hopTarget } from './ssh-jump';
import { makeLink, type SshLink } from './ssh-link';

export { SshError, isSshError } from './ssh-errors';
export { hopTarget, jumpResolver } from './ssh-jump';
export type { SshLink } from './ssh-link';
export type { SshErrorKind } from './ssh-errors';
export type { KnownHostsStore, HostKeyQuestion, HostKeyAnswer } from './ssh-connect-hostkey';

export type ConnectPrompts = AuthPrompts & {
  hostKey(info: HostKeyQuestion): Promise<HostKeyAnswer>;
};

export type ConnectDeps = {
  /** Default: the target's first UserKnownHostsFile. */
  knownHosts?: KnownHostsStore;
  /** SSH_AUTH_SOCK; no agent when unset. */
  agentSocket?: string;
  /** For identity files; default node:fs. */
  readFile?: (path: string) => Promise<Buffer | string>;
  /** A host name to an IP; default: an IP literal as is, else node:dns lookup. */
  resolve?: (host: string) => Promise<string>;
  /** A ProxyJump hop to the host it names (see jumpResolver); needed for ProxyJump. */
  resolveJump?: (hop: JumpHop) => ResolvedHost;
  prompts: ConnectPrompts;
  /** Default: ConnectTimeout, else 15 s. Per connection (each hop has its own). */
  timeoutMs?: number;
  /** Progress, never secrets. */
  log?: (message: string) => void;
};

export const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * Keepalive interval when ServerAliveInterval is unset: a stall shows after 1.5 intervals
 * (15 s), and ssh2 drops the link after (ServerAliveCountMax + 1) intervals.
 */
export const DEFAULT_KEEPALIVE_S = 10;
/** ProxyJump hosts that themselves jump: a limit against loops in the config. */
export const MAX_JUMP_DEPTH = 8;

export function connectSsh(target: ResolvedHost, deps: ConnectDeps): Promise<SshLink> {
  return connectChain(target, deps, 0);
}

async function connectChain(target: ResolvedHost, deps: ConnectDeps, depth: number) {
  if (target.proxyJump.length === 0) {
    return establish(target, deps, (timer) => openTcp(target, deps, timer), []);
  }
  if (depth >= MAX_JUMP_DEPTH) {
    throw new SshError(
      'jump_failed',
      `ProxyJump for ${target.alias} nests deeper than ${MAX_JUMP_DEPTH} hosts: is there a loop in the ssh config?`,
    );
  }
  const resolveJump = deps.resolveJump;
  if (!resolveJump) {
    throw new SshError(
      'jump_failed',
      `${target.alias} needs ProxyJump, and no jump resolver was given`,
    );
  }
  const chain: SshLink[] = [];
  try {
    for (const hop of target.proxyJump) {
      const name = hopTarget(hop);
      let resolved: ResolvedHost;
      try {
        resolved = resolveJump(hop);
      } catch (error) {
        throw jumpFailed(name, target, error);
      }
      const previous = chain[chain.length - 1];
      try {
        // Like `ssh -J a,b`: a uses its own config (its own ProxyJump too), b is reached through a.
        const link = previous
          ? await establish(
              { ...resolved, proxyJump: [] },
              deps,
              () => forwardThrough(previous, resolved),
              [],
            )
          : await connectChain(resolved, deps, depth + 1);
        chain.push(link);
      } catch (error) {
        throw error instanceof SshError && error.kind === 'jump_failed'
          ? error
          : jumpFailed(name, target, error);
      }
    }
    const last = chain[chain.length - 1] as SshLink;
    return await establish(target, deps, () => forwardThrough(last, target), chain);
  } catch (error) {
    await Promise.all(chain.map((link) => link.close()));
    throw error;
  }
}

async function defaultResolve(host: string): Promise<string> {
  if (isIP(host)) return host;
  return (await lookup(host)).address;
}

async function openTcp(target: ResolvedHost, deps: ConnectDeps, timer: Timer): Promise<Socket> {
  const context = { host: target.hostName, port: target.port };
  let address: string;
  try {
    address = await (deps.resolve ?? defaultResolve)(target.hostName);
  } catch (error) {
    throw toSshError(error, context);
  }
  if (timer.expired) throw timer.error();
  deps.log?.(`connecting to ${hostPort(address, target.port)}`);
  return new Promise((resolve, reject) => {
    // Keystrokes are small writes: without TCP_NODELAY each one can wait ~40 ms for the
    // previous one's ack (Nagle). OpenSSH sets it for interactive sessions too.
    const socket = netConnect({ host: address, port: target.port, noDelay: true });
    timer.onExpire(() => socket.destroy());
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (error: Error) => reject(toSshError(error, context));
    socket.once('error', onError);
  });
}

/** ssh2 errors that do not end the attempt: one agent or key failing, the next is tried. */
function isRecoverable(error: Error & { level?: unknown }): boolean {
  if (error.level === 'agent') return true;
  return (
    error.level === 'client-authentication' &&
    !/all configured authentication methods failed/i.test(error.message)
  );
}

function establish(
  target: ResolvedHost,
  deps: ConnectDeps,
  openSocket: (timer: Timer) => Promise<Duplex>,
  jumps: SshLink[],
): Promise<SshLink> {
  const log = deps.log ?? (() => {});
  const where = hostPort(target.hostName, target.port);
  const timeoutMs =
    deps.timeoutMs ??
    (target.connectTimeoutS === null ? DEFAULT_TIMEOUT_MS : target.connectTimeoutS * 1000);
  const timer = new Timer(timeoutMs, where);
  const store = deps.knownHosts ?? defaultKnownHosts(target);
  const auth = makeAuthHandler({
    user: target.user,
    host: target.hostName,
    identityFiles: target.identityFiles,
    identityFilesFromConfig: target.identityFilesFromConfig,
    identitiesOnly: target.identitiesOnly,
    agentSocket: deps.agentSocket,
    readFile: deps.readFile,
    prompts: deps.prompts,
    log,
    whilePrompting: (ask) => timer.whilePrompting(ask),
  });
  const client = new Client();

  return new Promise<SshLink>((resolve, reject) => {
    let settled = false;
    let socket: Duplex | undefined;
    let hostKeyError: SshError | undefined;
    const context = () => ({
      host: target.hostName,
      port: target.port,
      methodsTried: auth.tried,
    });
    const fail = (error: SshError) => {
      if (settled) return;
      settled = true;
      timer.stop();
      client.removeListener('ready', onReady);
      client.end();
      socket?.destroy();
      log(`connection to ${where} failed: ${error.kind}`);
      reject(error);
    };
    timer.onExpire(() => fail(timer.error()));
    const onReady = () => {
      if (settled) return;
      settled = true;
      timer.stop();
      client.removeListener('error', onError);
      client.removeListener('close', onEarlyClose);
      log(`logged in to ${where} as ${target.user}`);
      // ssh2 reads the socket with its own 'data' listener, so it flows already:
      // one more listener only notes the time, for stall detection.
      let lastReceived = Date.now();
      socket?.on('data', () => (lastReceived = Date.now()));
      resolve(makeLink(client, target, jumps, () => lastReceived));
    };
    const onError = (error: Error & { level?: unknown }) => {
      if (isRecoverable(error)) {
        log(`${error.level}: ${error.message}`);
        return;
      }
      fail(hostKeyError ?? withServerMethods(toSshError(error, context()), auth.serverMethods()));
    };
    const onEarlyClose = () =>
      fail(
        hostKeyError ??
          new SshError('connection_lost', `connection to ${where} closed before login finished`),
      );
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('close', onEarlyClose);

    const start = async () => {
      const known = await store.read().catch(() => '');
      const serverHostKey = hostKeyAlgorithms(known, target);
      const sock = await openSocket(timer);
      if (settled) {
        sock.destroy();
        return;
      }
      socket = sock;
      const config: ConnectConfig = {
        sock: sock as ConnectConfig['sock'],
        username: target.user,
        readyTimeout: 0,
        keepaliveInterval: (target.serverAliveIntervalS ?? DEFAULT_KEEPALIVE_S) * 1000,
        keepaliveCountMax: target.serverAliveCountMax,
        authHandler: auth.handler,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          verifyHostKey(key, {
            target,
            store,
            ask: (question) => timer.whilePrompting(() => deps.prompts.hostKey(question)),
            log,
          }).then(
            () => verify(true),
            (error: unknown) => {
              hostKeyError = toSshError(error, context());
              verify(false);
            },
          );
        },
      };
      if (serverHostKey) {
        config.algorithms = {
          serverHostKey: serverHostKey as NonNullable<
            NonNullable<ConnectConfig['algorithms']>['serverHostKey']
          >,
        };
      }
      client.connect(config);
    };
    start().catch((error: unknown) => fail(toSshError(error, context())));
  });
}

function withServerMethods(error: SshError, methods: readonly string[] | null): SshError {
  if (error.kind !== 'auth_failed' || !methods) return error;
  const accepts = methods.length ? methods.join(', ') : 'nothing';
  return new SshError(error.kind, `${error.message}; the server accepts: ${accepts}`, {
    cause: error.cause,
  });
}
