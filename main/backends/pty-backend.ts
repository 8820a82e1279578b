/**
 * The local `pty` backend: a shell on this machine through node-pty. It lives
 * as long as the core process; it does not survive an app quit, so recover
 * always answers "gone" and a probe knows only the shells this run started.
 * Its ref is the pid with the process's start time (a pid alone can be reused).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import * as pty from 'node-pty';
import { TetherError } from '../../preload/tether-error';
import type { Gone, Liveness, ShellBackend, ShellExit, ShellProcess, ShellSpec } from './backend';
import { AppShells } from './app-shells';
import { ExitOnce } from './exit-once';

/** Fail early and clearly: node-pty would fork and then die in exec. */
export function assertExecutable(file: string): void {
  try {
    accessSync(file, constants.X_OK);
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    throw new TetherError('shell_not_found', `Shell not found or not executable: ${file}`);
  }
}

/** How long a hung-up shell gets to exit before it is killed. */
const KILL_GRACE_MS = 1_500;

/** Why a pty session does not come back after a restart. */
export const PTY_ENDED_WITH_APP = 'Tether restarted; a local (pty) shell ends with the app.';

/** The kernel's start time of a process (clock ticks since boot), or null where /proc is missing. */
export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; fields count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

class PtyProcess implements ShellProcess {
  private readonly exit = new ExitOnce();
  readonly ref: string;

  constructor(private readonly term: pty.IPty) {
    this.ref = JSON.stringify({ pid: term.pid, startTime: processStartTime(term.pid) });
    term.onExit(({ exitCode, signal }) => {
      // node-pty reports a signal death as exitCode 0 plus the signal number.
      this.exit.fire(signal ? { exitCode: null, signal } : { exitCode, signal: null });
    });
  }

  get pid(): number {
    return this.term.pid;
  }

  onData(listener: (data: Buffer) => void): () => void {
    // With `encoding: null` node-pty hands out raw Buffers; typings say string.
    const subscription = this.term.onData(listener as unknown as (data: string) => void);
    return () => subscription.dispose();
  }

  onExit(listener: (exit: ShellExit) => void): () => void {
    return this.exit.on(listener);
  }

  write(data: string | Buffer): void {
    if (!this.exit.value) this.term.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.exit.value) this.term.resize(cols, rows);
  }

  pause(): void {
    if (!this.exit.value) this.term.pause();
  }

  resume(): void {
    if (!this.exit.value) this.term.resume();
  }

  kill(): void {
    if (this.exit.value) return;
    this.signal('SIGHUP');
    // A shell hung up in its first milliseconds (before it set up its handlers) can miss
    // the hang-up; one that ignores it must still end.
    setTimeout(() => {
      if (!this.exit.value) this.signal('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }

  release(): void {
    // Nothing keeps a pty shell once the app lets go of it.
    this.kill();
  }

  isAlive(): boolean {
    if (this.exit.value) return false;
    try {
      // The node-pty handle is ours and has not reported an exit, so this pid is its
      // process, not a reused one; signal 0 asks the kernel whether it still exists.
      process.kill(this.term.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  private signal(name: 'SIGHUP' | 'SIGKILL'): void {
    try {
      this.term.kill(name);
    } catch {
      // Already gone between the check and the signal.
    }
  }
}

/** The pty backend; `notDurable` says why tmux is not used (shown on every pty block). */
export class PtyBackend implements ShellBackend {
  readonly kind = 'pty' as const;
  /** The shells this run started. */
  private readonly shells = new AppShells<PtyProcess>(PTY_ENDED_WITH_APP);

  constructor(readonly notDurable: string = 'Local shells run without tmux here.') {}

  async start(spec: ShellSpec): Promise<ShellProcess> {
    return this.shells.add(this.spawn(spec));
  }

  async recover(): Promise<Gone> {
    return this.shells.gone();
  }

  async probe(_connection: string, refs: readonly string[]): Promise<Map<string, Liveness>> {
    return this.shells.probe(refs);
  }

  async remove(ref: string): Promise<void> {
    this.shells.kill(ref);
  }

  private spawn(spec: ShellSpec): PtyProcess {
    assertExecutable(spec.file);
    try {
      const term = pty.spawn(spec.file, spec.args, {
        name: spec.env.TERM ?? 'xterm-256color',
        cols: spec.cols,
        rows: spec.rows,
        cwd: spec.cwd,
        env: spec.env,
        encoding: null,
      });
      return new PtyProcess(term);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TetherError('spawn_failed', `Could not start ${spec.file}: ${reason}`);
    }
  }
}

/** A pty backend for tests and tools that need no reason of their own. */
export const ptyBackend = new PtyBackend();
