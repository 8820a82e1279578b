/**
 * The plain `ssh` backend: a login shell on a PTY of a remote host, over one
 * ssh2 session channel of an SshLink. It lives as long as the link; when the
 * link is lost the shell is gone with it (lostReason() says why), since the
 * server hangs up a PTY whose connection ended. Nothing here survives that:
 * a durable remote session needs tmux on the far side (a later backend).
 */
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import type { SshError } from '../ssh/ssh-errors';
import type { SshLink } from '../ssh/ssh-link';
import type { ShellExit, ShellProcess } from './backend';
import { ExitOnce } from './exit-once';

export type SshShellSpec = {
  cols: number;
  rows: number;
  /** Sent as SSH env requests; sshd drops what its AcceptEnv does not list. */
  env?: Record<string, string>;
};

export interface SshShell extends ShellProcess {
  /** The channel is open and the remote shell has not reported an exit. */
  isAlive(): boolean;
  /** Why the link ended under a running shell; null while it runs or after a normal exit. */
  lostReason(): SshError | null;
}

/**
 * Signal numbers for the names an SSH server reports ("exit-signal" carries a
 * name, ShellExit a number). These are the same on every POSIX system; other
 * names fall back to this machine's numbering.
 */
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

const SIGHUP = 1;

export function signalNumber(name: string | undefined): number | null {
  if (!name) return null;
  const upper = name.toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const known = SIGNAL_NUMBERS[full];
  if (known !== undefined) return known;
  const local = (osConstants.signals as Record<string, number | undefined>)[full];
  return local ?? null;
}

/** Open a login shell on a PTY (TERM xterm-256color) over the link. */
export async function openSshShell(link: SshLink, spec: SshShellSpec): Promise<SshShell> {
  // A link that ends while the channel opens would leave the request unanswered.
  let lost: SshError | null | undefined;
  let rejectOpen: ((error: Error) => void) | undefined;
  const stopWatching = link.onClose((reason) => {
    lost = reason;
    rejectOpen?.(reason ?? new Error('the SSH connection was closed'));
  });
  try {
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      rejectOpen = reject;
      link.shell(spec.cols, spec.rows, spec.env).then(resolve, reject);
    });
    if (lost !== undefined) {
      channel.close();
      throw lost ?? new Error('the SSH connection was closed');
    }
    return new SshShellProcess(link, channel);
  } finally {
    stopWatching();
  }
}

/** The done reason of a shell whose link ended under it; the UI keys on "Connection lost". */
export function lostMessage(reason: SshError | null): string {
  return reason
    ? `Connection lost: ${reason.message}.`
    : 'Connection lost: the SSH connection was closed.';
}

class SshShellProcess implements SshShell {
  /** There is no local process; the remote pid is not known to us. */
  readonly pid = -1;
  /** Nothing on the host can be found again: the ref only tells this run's shells apart. */
  readonly ref = JSON.stringify({ channel: randomUUID() });

  private readonly exit = new ExitOnce();
  private lost: SshError | null = null;
  private linkClosed = false;
  /** The server sent exit-status or exit-signal: the remote shell has ended. */
  private remoteExit: ShellExit | undefined;
  private channelClosed = false;
  private killed = false;
  private readonly dataListeners = new Set<(data: Buffer) => void>();
  private readonly stopWatchingLink: () => void;

  constructor(
    link: SshLink,
    private readonly channel: ClientChannel,
  ) {
    const forward = (data: Buffer) => {
      if (this.exit.value) return;
      for (const listener of this.dataListeners) listener(data);
    };
    channel.on('data', forward);
    channel.stderr.on('data', forward);
    // A write after the channel ended, or a dying link, reports here; the exit says it all.
    channel.on('error', () => {});
    channel.stderr.on('error', () => {});
    channel.on('exit', (code: number | null, signal?: string) => {
      if (this.exit.value || this.remoteExit) return;
      this.remoteExit =
        typeof code === 'number'
          ? { exitCode: code, signal: null }
          : { exitCode: null, signal: signalNumber(signal) };
    });
    // ssh2 emits 'close' once stdout has ended (all its data delivered); stderr's
    // end may still be a tick away.
    channel.on('close', () => {
      this.channelClosed = true;
      if (channel.stderr.readableEnded || channel.stderr.destroyed) this.finish();
      else channel.stderr.once('end', () => this.finish());
    });
    this.stopWatchingLink = link.onClose((reason) => {
      this.linkClosed = true;
      if (this.exit.value) return;
      // Data ssh2 still holds for us is dropped: the exit comes last.
      this.lost = reason;
      this.finish({ exitCode: null, signal: null, reason: lostMessage(reason) });
    });
  }

  lostReason(): SshError | null {
    return this.lost;
  }

  onData(listener: (data: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onExit(listener: (exit: ShellExit) => void): () => void {
    return this.exit.on(listener);
  }

  write(data: string | Buffer): void {
    if (!this.isOpen()) return;
    this.channel.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  resize(cols: number, rows: number): void {
    if (this.isOpen()) this.channel.setWindow(rows, cols, 0, 0);
  }

  pause(): void {
    if (this.exit.value) return;
    // ssh2 stops granting window once its buffer fills, and the server stops sending.
    this.channel.pause();
    this.channel.stderr.pause();
  }

  resume(): void {
    if (this.exit.value) return;
    this.channel.resume();
    this.channel.stderr.resume();
  }

  /** Like closing a terminal window: a hang-up, then the channel closes. */
  kill(): void {
    if (this.exit.value || this.killed || this.linkClosed) return;
    this.killed = true;
    try {
      // Servers that do not handle "signal" requests ignore it (no reply is asked).
      this.channel.signal('HUP');
    } catch {
      // The channel is no longer writable.
    }
    // The close only completes once what was sent is read: a paused shell must flow.
    this.channel.resume();
    this.channel.stderr.resume();
    this.channel.close();
  }

  release(): void {
    // A plain shell cannot outlive the link the app holds.
    this.kill();
  }

  isAlive(): boolean {
    return this.isOpen() && !this.remoteExit && !this.killed;
  }

  private isOpen(): boolean {
    return !this.exit.value && !this.channelClosed && !this.linkClosed && this.channel.writable;
  }

  private finish(exit?: ShellExit): void {
    if (this.exit.value) return;
    this.stopWatchingLink();
    // Without a status, a killed shell ended by our hang-up.
    this.exit.fire(
      exit ?? this.remoteExit ?? { exitCode: null, signal: this.killed ? SIGHUP : null },
    );
    this.dataListeners.clear();
  }
}
