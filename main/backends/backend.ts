/**
 * What keeps a shell alive, behind one interface. The backend owns
 * durability: it starts shells, re-joins one that outlived the app
 * (`recover`), answers whether shells still exist by asking the real thing
 * (`probe`), and writes its own handle on each shell (`ShellProcess.ref`,
 * stored as the session's backendRef). The session manager only speaks this
 * interface; node-pty, ssh2 and tmux details stay inside their backend modules.
 */
import type { SessionBackend } from '../../db/schema';

export type ShellSpec = {
  /** The Tether session this shell belongs to (a backend may name its own handle after it). */
  sessionId: string;
  /** The session's name, when it has one (tmux shows it in `tmux ls`). */
  name: string | null;
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
  /** The backend's handle on this shell (JSON text), kept in the session row to recover it. */
  readonly ref: string;
  /** The shell's pid where the backend knows it (-1 otherwise); for logs and tests. */
  readonly pid: number;
  /**
   * Output bytes in order. A backend that keeps its own screen (tmux) starts the stream
   * with a repaint of that screen, and repaints again (a full reset, then the screen)
   * whenever it had to skip output; so the mirror and every pane fed from this stream
   * always show the shell's real screen.
   */
  onData(listener: (data: Buffer) => void): () => void;
  /** Fires once, after the last data event. */
  onExit(listener: (exit: ShellExit) => void): () => void;
  /** Strings are sent as UTF-8; a Buffer as its bytes. */
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /**
   * A backend that keeps its own screen (tmux): a repaint for the session's mirror only,
   * handed to `replace` at the point of the output stream it describes (after every data
   * event before it, before every one after), while the stream goes on. The mirror then
   * need not parse a flood it let go. Rejects if the screen cannot be read now.
   */
  recapture?(replace: (repaint: Buffer) => void): Promise<void>;
  /** Stop reading output (the shell blocks, or tmux skips output it repaints later). */
  pause(): void;
  resume(): void;
  /** End the shell for good (a delete): like closing a terminal window. */
  kill(): void;
  /**
   * Stop driving the shell without ending it where it can outlive us (tmux: detach; the
   * app quits or the session is done). A shell that cannot outlive the app ends here.
   */
  release(): void;
  /** The session was renamed (tmux renames its session so `tmux ls` shows it). */
  rename?(name: string | null): void;
  /** Which kind of shell this is, where its backend runs more than one (SSH: tmux or plain). */
  readonly kind?: SessionBackend;
  /**
   * A shell on a host (tmux over SSH): false while the host cannot be reached. The shell is
   * not ended by that; it comes back by itself once the link is up again (onLink says so).
   */
  linkUp?(): boolean;
  onLink?(listener: (up: boolean, why: string) => void): () => void;
  /** Someone wants this shell (a block attached to it, the picker listed it): reconnect now. */
  wake?(): void;
}

/** A shell that could not be re-joined or is no longer there, and why, for people. */
export type Gone = { state: 'gone'; reason: string; exitCode?: number | null };

/** What a probe learnt of one shell. */
export type Liveness =
  | { state: 'alive' }
  | Gone
  /** The backend could not be asked (a link down, tmux not answering): nothing is known. */
  | { state: 'unreachable'; reason: string };

export function isGone(value: ShellProcess | Liveness): value is Gone {
  return 'state' in value && value.state === 'gone';
}

export interface ShellBackend {
  readonly kind: SessionBackend;
  /** Why this backend's shells do not survive the app (shown on the block); null if they do. */
  readonly notDurable: string | null;
  /** Where it depends on the host and the shell's kind (SSH): why this session's shell does not survive. */
  notDurableFor?(connection: string, kind: SessionBackend): string | null;
  /** Start a shell; rejects with a TetherError (in words for people) if it cannot be started. */
  start(spec: ShellSpec): Promise<ShellProcess>;
  /** Re-join a shell started before (by an earlier run of the app), from its ref. */
  recover(ref: string, spec: ShellSpec): Promise<ShellProcess | Gone>;
  /** Whether each shell (by ref) still exists, asked of the real thing in one batch. */
  probe(connection: string, refs: readonly string[]): Promise<Map<string, Liveness>>;
  /** End a shell by its ref whether or not it is driven now (delete, reaper). */
  remove(ref: string, connection: string): Promise<void>;
}
