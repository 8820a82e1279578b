/**
 * What keeps a shell alive, behind one interface: start, write, resize, stop,
 * liveness. The session manager only speaks this interface; node-pty, ssh2
 * and tmux details stay inside their backend modules.
 */

export type ShellSpec = {
  /** Where the shell runs: `local`, or an SSH connection name (remote backends only). */
  connection: string;
  /** Absolute path of the program to run (local backends). */
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
};

export type ShellExit = {
  exitCode: number | null;
  signal: number | null;
  /** Why it ended when that is not the shell's own doing (the SSH link was lost), for people. */
  reason?: string;
};

/** A running shell. Every subscription returns its unsubscribe function. */
export interface ShellProcess {
  readonly pid: number;
  onData(listener: (data: Buffer) => void): () => void;
  /** Fires once, after the last data event. */
  onExit(listener: (exit: ShellExit) => void): () => void;
  /** Strings are sent as UTF-8; a Buffer as its bytes. */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Stop reading output (the shell blocks once the kernel buffer fills). */
  pause(): void;
  resume(): void;
  /** Ask the shell to end (SIGHUP, like closing a terminal window). */
  kill(): void;
  /** Whether the shell still runs, asked of the real thing (a pid alone is not trusted). */
  isAlive(): boolean;
}

/**
 * A backend starts shells. A session's snapshot (screen, scrollback, modes)
 * comes from its mirror, fed with the shell's output; a backend that keeps
 * its own screen (tmux, later) will offer it here instead.
 */
export interface ShellBackend {
  readonly kind: 'pty' | 'plain';
  /**
   * Start a shell; throws (or rejects with) a TetherError if it cannot be started. A
   * remote backend answers later (connecting, a login prompt): the manager does not wait
   * for it in its queue.
   */
  start(spec: ShellSpec): ShellProcess | Promise<ShellProcess>;
}
