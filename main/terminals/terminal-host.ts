/**
 * The terminals of blocks: one shell and one zone per block, started on first
 * attach and kept while the core runs (a page reload re-attaches to the same
 * shell). This is the foundation's stand-in for the session daemon manager:
 * it speaks only the backend interface and zones, so sessions replace it
 * without touching either.
 */
import { randomUUID } from 'node:crypto';
import type { AttachReply, TerminalState } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { ShellBackend, ShellProcess } from '../backends/backend';
import type { ShellChoice } from '../backends/login-shell';
import type { Logger } from '../log';
import { DEFAULT_ZONE_OPTIONS, Zone, type ZoneOptions, type ZoneSubscriber } from './zone';

/** A follower of zones: one per window or WebSocket client. */
export type TerminalClient = {
  readonly id: string;
  output(zone: string, offset: number, data: Buffer): void;
  state(zone: string, state: TerminalState): void;
};

type Follower = ZoneSubscriber & { client: TerminalClient };

type Terminal = {
  blockId: string;
  zone: Zone<Follower>;
  shell?: ShellProcess;
  state: TerminalState;
  stopListening: Array<() => void>;
};

export type TerminalHostOptions = {
  backend: ShellBackend;
  shell: () => ShellChoice;
  cwd: string;
  env: () => Record<string, string>;
  log: Logger;
  zone?: Partial<Omit<ZoneOptions, 'onPressure'>>;
  /** Wait after exit for trailing output before reporting it (node-pty may exit first). */
  exitSettleMs?: number;
};

export class TerminalHost {
  private readonly byBlock = new Map<string, Terminal>();
  private readonly byZone = new Map<string, Terminal>();

  constructor(private readonly options: TerminalHostOptions) {}

  /** Follow a block's terminal, starting its shell on first use. */
  attach(blockId: string, client: TerminalClient, cols: number, rows: number): AttachReply {
    let terminal = this.byBlock.get(blockId);
    if (!terminal) {
      terminal = this.create(blockId);
      try {
        this.startShell(terminal, cols, rows);
      } catch (error) {
        this.remove(terminal);
        throw error;
      }
    } else if (terminal.state.status === 'running') {
      terminal.shell?.resize(cols, rows);
    }
    return this.follow(terminal, client);
  }

  /** A fresh shell for a block whose shell has ended; the zone (and its followers) stay. */
  restart(blockId: string, client: TerminalClient, cols: number, rows: number): AttachReply {
    const terminal = this.byBlock.get(blockId);
    if (!terminal) return this.attach(blockId, client, cols, rows);
    if (terminal.state.status === 'running') {
      throw new TetherError(
        'not_running',
        'The shell is still running; there is nothing to restart.',
      );
    }
    terminal.zone.clearReplay();
    this.startShell(terminal, cols, rows);
    for (const follower of terminal.zone.subscribers()) {
      if (follower.id !== client.id) follower.client.state(terminal.zone.id, terminal.state);
    }
    return this.follow(terminal, client);
  }

  detach(zoneId: string, clientId: string): void {
    this.byZone.get(zoneId)?.zone.detach(clientId);
  }

  /** A client went away: stop following everything it followed. */
  detachClient(clientId: string): void {
    for (const terminal of this.byZone.values()) terminal.zone.detach(clientId);
  }

  write(zoneId: string, clientId: string, data: string | Buffer): void {
    const terminal = this.followed(zoneId, clientId);
    if (terminal.state.status !== 'running') {
      throw new TetherError('not_running', 'The shell has exited; restart it to type again.');
    }
    terminal.shell?.write(data);
  }

  resize(zoneId: string, clientId: string, cols: number, rows: number): void {
    const terminal = this.followed(zoneId, clientId);
    if (terminal.state.status === 'running') terminal.shell?.resize(cols, rows);
  }

  ack(zoneId: string, clientId: string, bytes: number): void {
    this.byZone.get(zoneId)?.zone.ack(clientId, bytes);
  }

  /**
   * End a block's terminal for good (its block was removed): kill the shell and
   * forget the zone. Followers are not told; the block is gone from their layout.
   */
  close(blockId: string): void {
    const terminal = this.byBlock.get(blockId);
    if (!terminal) return;
    const shell = terminal.shell;
    // Cleared first: the exit handler (and one already scheduled) checks it and stands down.
    terminal.shell = undefined;
    this.remove(terminal);
    shell?.kill();
    if (shell) this.options.log.info(`closed shell ${shell.pid} of block ${blockId}`);
  }

  dispose(): void {
    for (const terminal of [...this.byBlock.values()]) {
      terminal.shell?.kill();
      this.remove(terminal);
    }
  }

  private create(blockId: string): Terminal {
    const zoneId = randomUUID();
    const terminal: Terminal = {
      blockId,
      zone: new Zone<Follower>(zoneId, {
        ...DEFAULT_ZONE_OPTIONS,
        ...this.options.zone,
        onPressure: (paused) => {
          this.options.log.debug(`zone ${zoneId} ${paused ? 'paused' : 'resumed'}`);
          if (paused) terminal.shell?.pause();
          else terminal.shell?.resume();
        },
      }),
      state: { status: 'exited', exitCode: null, signal: null, shell: '' },
      stopListening: [],
    };
    this.byBlock.set(blockId, terminal);
    this.byZone.set(zoneId, terminal);
    return terminal;
  }

  private startShell(terminal: Terminal, cols: number, rows: number): void {
    const choice = this.options.shell();
    const shell = this.options.backend.start({
      file: choice.file,
      args: choice.args,
      cwd: this.options.cwd,
      env: this.options.env(),
      cols,
      rows,
    });
    for (const stop of terminal.stopListening) stop();
    terminal.shell = shell;
    terminal.state = { status: 'running', pid: shell.pid, shell: choice.file };
    terminal.stopListening = [
      shell.onData((data) => terminal.zone.push(data)),
      shell.onExit((exit) => {
        // Let trailing output land before the exit is reported after it.
        setTimeout(() => {
          if (terminal.shell !== shell) return;
          terminal.zone.flush();
          terminal.state = { status: 'exited', ...exit, shell: choice.file };
          this.options.log.info(`shell ${shell.pid} of block ${terminal.blockId} exited`, exit);
          for (const follower of terminal.zone.subscribers()) {
            follower.client.state(terminal.zone.id, terminal.state);
          }
        }, this.options.exitSettleMs ?? 20);
      }),
    ];
    if (terminal.zone.isPaused) shell.pause();
    this.options.log.info(
      `started ${choice.file} (pid ${shell.pid}) for block ${terminal.blockId}`,
    );
  }

  private follow(terminal: Terminal, client: TerminalClient): AttachReply {
    const follower: Follower = {
      id: client.id,
      client,
      deliver: (chunk) => client.output(terminal.zone.id, chunk.offset, chunk.data),
    };
    const { snapshot, offset } = terminal.zone.attach(follower);
    return { zone: terminal.zone.id, snapshot, offset, state: terminal.state };
  }

  private followed(zoneId: string, clientId: string): Terminal {
    const terminal = this.byZone.get(zoneId);
    if (!terminal || !terminal.zone.has(clientId)) {
      throw new TetherError('not_found', `Not attached to zone ${zoneId}.`);
    }
    return terminal;
  }

  private remove(terminal: Terminal): void {
    for (const stop of terminal.stopListening) stop();
    terminal.zone.dispose();
    this.byBlock.delete(terminal.blockId);
    this.byZone.delete(terminal.zone.id);
  }
}
