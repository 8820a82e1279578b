/**
 * How tmux is reached: on this machine through child processes, or on an SSH
 * host through exec channels (main/connections/ssh-tmux-transport.ts). The
 * tmux server, its one-shot commands and its control clients only speak this
 * interface.
 */
import { execFile, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A long-lived tmux client (a control client) and its pipes. */
export type ControlPipe = {
  /** The client's pid where it is known (-1 on a remote host). */
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** End it at once (a client that stopped answering). */
  kill(): void;
  /** Once, when the client has ended (or could never start). */
  onClose(listener: () => void): void;
};

export interface TmuxTransport {
  /** Run tmux with these arguments; resolves its stdout, rejects a TmuxCommandError. */
  run(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<string>;
  /** Start tmux with these arguments and pipes (a control client). */
  spawn(argv: readonly string[]): ControlPipe;
  /** Whether tmux can be reached now: always here; on a host, while its link is up. */
  reachable(): boolean;
}

/** A tmux command failed; `stderr` is tmux's own words (or why tmux could not be reached). */
export class TmuxCommandError extends Error {
  constructor(
    readonly stderr: string,
    readonly code: string | number | null,
  ) {
    super(stderr.trim() || `tmux failed (${code})`);
    this.name = 'TmuxCommandError';
  }

  /** The server is not running (its socket is missing or nobody listens on it). */
  get noServer(): boolean {
    return /no server running|error connecting to|server exited/i.test(this.stderr);
  }

  /** tmux itself could not be run. */
  get notRunnable(): boolean {
    return this.code === 'ENOENT' || this.code === 'EACCES' || this.code === 127;
  }

  /** The host could not be asked at all (its link is down): nothing is known. */
  get unreachable(): boolean {
    return this.code === UNREACHABLE;
  }
}

/** The code of a TmuxCommandError raised because the host could not be reached. */
export const UNREACHABLE = 'UNREACHABLE';

/** tmux on this machine, as child processes. */
export class LocalTmuxTransport implements TmuxTransport {
  constructor(
    readonly program: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  run(argv: readonly string[], env: NodeJS.ProcessEnv = this.env): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.program,
        [...argv],
        { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 10_000 },
        (error, stdout, stderr) => {
          if (error) {
            const code = (error as NodeJS.ErrnoException).code ?? null;
            reject(new TmuxCommandError(stderr || error.message, code));
          } else {
            resolve(stdout);
          }
        },
      );
    });
  }

  spawn(argv: readonly string[]): ControlPipe {
    const child = spawn(this.program, [...argv], {
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // tmux says why it could not attach on stderr; %exit or the pipe's end follows.
    child.stderr.on('data', () => {});
    child.stdin.on('error', () => {});
    const listeners: Array<() => void> = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      for (const listener of listeners.splice(0)) listener();
    };
    child.on('error', close);
    child.on('close', close);
    return {
      pid: child.pid ?? -1,
      stdin: child.stdin,
      stdout: child.stdout,
      kill: () => child.kill('SIGKILL'),
      onClose: (listener) => {
        if (closed) queueMicrotask(listener);
        else listeners.push(listener);
      },
    };
  }

  reachable(): boolean {
    return true;
  }
}
