/**
 * What keeps a shell alive, behind one interface. The terminal host (and,
 * later, the session daemon manager) only speaks this interface; node-pty,
 * ssh2 and tmux details stay inside their backend modules.
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
}

export interface ShellBackend {
  readonly kind: 'pty';
  /** Start a shell; throws a TetherError if it cannot be started. */
  start(spec: ShellSpec): ShellProcess;
}
