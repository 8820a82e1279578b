/**
 * An established SSH connection as the rest of Tether sees it: close it, hear
 * when (and why) it ended, open a login shell on a PTY. Closing a link also
 * closes the jump hosts it was reached through.
 */
import type { Client, ClientChannel } from 'ssh2';
import type { ResolvedHost } from './ssh-config';
import { SshError, hostPort, toSshError } from './ssh-errors';

export type SshLink = {
  client: Client;
  target: ResolvedHost;
  /** Ends the connection (and its jump hosts); resolves once closed. */
  close(): Promise<void>;
  /** reason: null after close(), else why it ended (usually connection_lost). */
  onClose(listener: (reason: SshError | null) => void): () => void;
  /** A login shell on a PTY (TERM xterm-256color). */
  shell(cols: number, rows: number, env?: Record<string, string>): Promise<ClientChannel>;
  /** A command run by the user's shell on the host, with pipes (no PTY). */
  exec(command: string): Promise<ClientChannel>;
  /** When bytes last arrived from the server (Date.now() ms), for stall detection. */
  lastReceivedAt(): number;
};

export function makeLink(
  client: Client,
  target: ResolvedHost,
  jumps: SshLink[],
  lastReceivedAt: () => number = () => Date.now(),
): SshLink {
  const where = hostPort(target.hostName, target.port);
  const listeners = new Set<(reason: SshError | null) => void>();
  let closing = false;
  let closed: { reason: SshError | null } | undefined;
  let lastError: SshError | undefined;
  const whenClosed = new Promise<void>((resolve) => {
    client.on('error', (error: Error) => {
      lastError ??= toSshError(error, { host: target.hostName, port: target.port, ready: true });
    });
    client.on('close', () => {
      const reason = closing
        ? null
        : lastError?.kind === 'connection_lost'
          ? lastError
          : new SshError(
              'connection_lost',
              `connection to ${where} lost${lastError ? `: ${lastError.message}` : ''}`,
              { cause: lastError },
            );
      closed = { reason };
      for (const jump of [...jumps].reverse()) void jump.close();
      for (const listener of listeners) listener(reason);
      listeners.clear();
      resolve();
    });
  });
  return {
    client,
    target,
    lastReceivedAt,
    close() {
      if (!closed) {
        closing = true;
        client.end();
      }
      return whenClosed;
    },
    onClose(listener) {
      if (closed) {
        const reason = closed.reason;
        queueMicrotask(() => listener(reason));
        return () => {};
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    shell(cols, rows, env) {
      return new Promise((resolve, reject) => {
        client.shell(
          { term: 'xterm-256color', cols, rows },
          env ? { env } : {},
          (error, channel) => (error ? reject(error) : resolve(channel)),
        );
      });
    },
    exec(command) {
      return new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
      });
    },
  };
}
