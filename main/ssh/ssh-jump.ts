/**
 * ProxyJump: naming a hop as a target, resolving it from the ssh config, and
 * opening the next connection's stream through a jump host (direct-tcpip),
 * with the failures a person can act on.
 */
import type { Duplex } from 'node:stream';
import { resolveHost } from './ssh-config';
import type { JumpHop, ResolveOptions, ResolvedHost, SshConfig } from './ssh-config';
import { SshError, hostPort } from './ssh-errors';
import type { SshLink } from './ssh-link';

/** The hop as a target string for resolveHost: `user@host:port`, IPv6 in brackets. */
export function hopTarget(hop: JumpHop): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  const user = hop.user === null ? '' : `${hop.user}@`;
  if (hop.port === null) return `${user}${hop.host}`;
  return `${user}${host}:${hop.port}`;
}

/** deps.resolveJump from the ssh config: each hop resolved as if typed after `ssh`. */
export function jumpResolver(config: SshConfig, options: ResolveOptions) {
  return (hop: JumpHop): ResolvedHost => resolveHost(config, hopTarget(hop), options);
}

export function jumpFailed(hop: string, target: ResolvedHost, cause: unknown): SshError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SshError(
    'jump_failed',
    `cannot reach ${target.alias} through jump host ${hop}: ${why}`,
    { cause },
  );
}

/** A direct-tcpip channel on the jump host to the next host (named there, not resolved here). */
export function forwardThrough(jump: SshLink, next: ResolvedHost): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, stream) => {
      if (error) {
        reject(
          new SshError(
            'jump_failed',
            `jump host ${jump.target.alias} cannot open a connection to ` +
              `${hostPort(next.hostName, next.port)}: ${channelFailure(error)}`,
            { cause: error },
          ),
        );
      } else resolve(stream);
    });
  });
}

/** RFC 4254 channel open failure reasons; OpenSSH's descriptions are often just "open failed". */
const OPEN_FAILURE: Record<number, string> = {
  1: 'administratively prohibited (is TCP forwarding allowed there?)',
  2: 'connect failed (the jump host cannot reach it)',
  3: 'unknown channel type',
  4: 'resource shortage',
};

function channelFailure(error: Error & { reason?: unknown }): string {
  const reason = typeof error.reason === 'number' ? OPEN_FAILURE[error.reason] : undefined;
  return reason ? `${error.message}: ${reason}` : error.message;
}
