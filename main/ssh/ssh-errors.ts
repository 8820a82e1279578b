/**
 * Errors of an SSH connection that a person can act on: one kind per cause,
 * and a message that names the host and says what to do. ssh2 and node:net
 * report the same causes in many shapes (error codes, message texts, levels);
 * toSshError maps them here, in one place.
 */

export type SshErrorKind =
  | 'host_not_found'
  | 'connection_refused'
  | 'timeout'
  | 'auth_failed'
  | 'host_key_changed'
  | 'host_key_revoked'
  | 'host_key_rejected'
  | 'jump_failed'
  | 'connection_lost'
  | 'protocol';

export class SshError extends Error {
  override name = 'SshError';

  constructor(
    readonly kind: SshErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSshError(error: unknown, kind?: SshErrorKind): error is SshError {
  return error instanceof SshError && (kind === undefined || error.kind === kind);
}

/** Where the error happened, for the message. */
export type ErrorContext = {
  host: string;
  port: number;
  /** The authentication methods tried so far, for auth_failed. */
  methodsTried?: readonly string[];
  /** Whether the SSH session was up (then a dropped socket is connection_lost). */
  ready?: boolean;
};

const NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);
const LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/** An ssh2, net or resolver error as an SshError (an SshError is returned as it is). */
export function toSshError(error: unknown, context: ErrorContext): SshError {
  if (error instanceof SshError) return error;
  const err = (error instanceof Error ? error : new Error(String(error))) as Error & {
    code?: unknown;
    level?: unknown;
  };
  const where = hostPort(context.host, context.port);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const text = err.message;
  const make = (kind: SshErrorKind, message: string) => new SshError(kind, message, { cause: err });

  if (code && NOT_FOUND.has(code)) {
    return make(
      'host_not_found',
      `cannot resolve host name "${context.host}" (${code}): check the name or your network`,
    );
  }
  if (code === 'ECONNREFUSED') {
    return make(
      'connection_refused',
      `connection to ${where} refused: no SSH server listens there (check the host and port)`,
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    return make('connection_refused', `cannot reach ${where}: ${code} (no route to the host)`);
  }
  if (code === 'ETIMEDOUT' || /timed out while waiting for handshake/i.test(text)) {
    return make('timeout', `no answer from ${where}: the connection timed out`);
  }
  if (/all configured authentication methods failed/i.test(text) || isAuthDisconnect(text)) {
    const tried = context.methodsTried?.length
      ? context.methodsTried.join(', ')
      : 'nothing: no agent and no usable key';
    return make(
      'auth_failed',
      `permission denied on ${where}: every authentication method failed (tried: ${tried})`,
    );
  }
  if (/keepalive timeout/i.test(text)) {
    return make('connection_lost', `connection to ${where} lost: the server stopped answering`);
  }
  if ((code && LOST.has(code)) || /connection lost|no response from server/i.test(text)) {
    return make('connection_lost', `connection to ${where} lost: ${text}`);
  }
  if (context.ready && err.level === 'client-socket') {
    return make('connection_lost', `connection to ${where} lost: ${text}`);
  }
  return make('protocol', `SSH with ${where} failed: ${text}`);
}

function isAuthDisconnect(text: string): boolean {
  return /too many authentication failures|no more auth methods|no supported authentication/i.test(
    text,
  );
}

/** `host port N`, the way a person reads it (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host} port ${port}`;
}
