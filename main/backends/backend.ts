/**
 * What keeps a shell alive, behind one interface: start, write, resize, stop,
 * liveness. The session manager only speaks this interface; node-pty, ssh2
 * and tmux details stay inside their backend modules.
 */

export type ShellSpec = {
  /** Absolute path of the program to run. */
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
};

export type ShellExit = { exitCode: number | null; signal: number | null };

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
  readonly kind: 'pty';
  /** Start a shell; throws a TetherError if it cannot be started. */
  start(spec: ShellSpec): ShellProcess;
}
