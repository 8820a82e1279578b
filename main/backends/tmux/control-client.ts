/**
 * One tmux control-mode client (`tmux -u -C attach -t $N`) over plain pipes
 * (a child process here, an SSH exec channel on a host),
 * always read (a client that stops reading freezes the pane's shell):
 * commands written one per line and pipelined (never a round trip per key),
 * reply blocks matched to them first in, first out, and the stream's other
 * events (pane output, pause, exit) handed on in order.
 *
 * A line may hold a `;`-list: it answers with one block per command, or stops
 * at the first %error (a parse error answers one %error for the whole line),
 * so each pending line knows how many blocks it waits for.
 */
import { PassThrough } from 'node:stream';
import { ControlParser, type ControlBlock, type ControlEvent } from './control-parser';
import type { ControlPipe } from './tmux-transport';

export type ControlListeners = {
  output(pane: string, data: Buffer): void;
  pause(pane: string): void;
  /** The client ended: tmux's %exit reason (null for a plain %exit), or 'eof' when the pipe closed. */
  closed(reason: string | null | 'eof'): void;
};

/** A reply that failed: tmux's own words. */
export class ControlCommandError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join(' ').trim() || 'tmux refused the command');
    this.name = 'ControlCommandError';
  }
}

type Pending = {
  blocks: number;
  replies: ControlBlock[];
  /** Called in stream order, before any later output is handed on. */
  answered?: (blocks: ControlBlock[]) => void;
  resolve?: (blocks: ControlBlock[]) => void;
  reject?: (error: Error) => void;
};

/** Unsent input beyond this is refused: tmux is not reading, and memory stays bounded. */
const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

export class ControlClient {
  private readonly child: ControlPipe;
  private readonly parser: ControlParser;
  private readonly pending: Pending[] = [];
  private ended = false;
  /** The owner was told the client closed. */
  private told = false;
  private exitReason: string | null | undefined;
  /**
   * Lines written before tmux has attached the client are held: a command that needs the
   * client (refresh-client) would fail with "no current client".
   */
  private held: Buffer[] | null = [];
  private heldBytes = 0;
  private read = 0;

  constructor(
    pipe: ControlPipe,
    private readonly listeners: ControlListeners,
  ) {
    this.child = pipe;
    this.parser = new ControlParser((event) => this.dispatch(event));
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      this.read += chunk.byteLength;
      this.parser.push(chunk);
    });
    this.child.stdin.on('error', () => {});
    this.child.onClose(() => this.finish());
  }

  /** A client that has already ended (a shell waiting for its host has none yet). */
  static ended(): ControlClient {
    const stdin = new PassThrough();
    stdin.end();
    const pipe: ControlPipe = {
      pid: -1,
      stdin,
      stdout: new PassThrough(),
      kill: () => {},
      onClose: () => {},
    };
    const client = new ControlClient(pipe, { output() {}, pause() {}, closed() {} });
    client.ended = true;
    return client;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Bytes read from tmux so far (output, replies, notifications): a sign of life. */
  get bytesRead(): number {
    return this.read;
  }

  /** Commands written and not yet answered. */
  get waiting(): number {
    return this.pending.length;
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /**
   * Send one command line (a `;`-list of `commands` commands) and wait for its blocks.
   * `answered` runs at the reply's place in the stream: output read after the reply is
   * handed on only after it (a promise would let that output overtake it).
   */
  command(
    line: string,
    commands = 1,
    answered?: (blocks: ControlBlock[]) => void,
  ): Promise<ControlBlock[]> {
    return new Promise((resolve, reject) => {
      if (!this.write(line, { blocks: commands, replies: [], answered, resolve, reject })) {
        reject(new Error('the tmux client has ended'));
      }
    });
  }

  /** Send lines whose answers nobody waits for (keys, resizes); false if the client is gone. */
  send(lines: readonly string[]): boolean {
    for (const line of lines) {
      if (!this.write(line, { blocks: 1, replies: [] })) return false;
    }
    return true;
  }

  /** Detach: tmux ends a control client whose input ends; the session runs on. */
  close(): void {
    this.attached();
    if (!this.child.stdin.writableEnded) this.child.stdin.end();
  }

  /**
   * End a client that stopped answering. Sends fail from here on, so input is refused in
   * words rather than written to a dead client; but the owner hears `closed` only when the
   * pipes close. A local tmux server holds a control client's stdin and stdout itself, so
   * they close once tmux runs again, which is also when asking tmux what happened can work.
   */
  kill(): void {
    this.child.kill();
    this.stop();
  }

  private write(line: string, pending: Pending): boolean {
    if (this.ended || this.child.stdin.writableEnded) return false;
    const bytes = Buffer.from(`${line}\n`, 'latin1');
    if (this.child.stdin.writableLength + this.heldBytes + bytes.length > MAX_UNSENT_BYTES) {
      return false;
    }
    this.pending.push(pending);
    if (this.held) {
      this.held.push(bytes);
      this.heldBytes += bytes.length;
    } else {
      this.child.stdin.write(bytes);
    }
    return true;
  }

  /** tmux has attached the client (its own block ended, or it said which session): send. */
  private attached(): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    this.heldBytes = 0;
    if (held.length > 0 && !this.child.stdin.writableEnded) {
      this.child.stdin.write(Buffer.concat(held));
    }
  }

  private dispatch(event: ControlEvent): void {
    switch (event.type) {
      case 'output':
        this.listeners.output(event.pane, event.data);
        break;
      case 'block':
        this.reply(event.block);
        break;
      case 'pause':
        this.listeners.pause(event.pane);
        break;
      case 'exit':
        this.exitReason = event.reason;
        break;
      case 'notification':
        if (event.name === 'session-changed') this.attached();
        break;
      default:
        break;
    }
  }

  private reply(block: ControlBlock): void {
    // Flags 0: the server's own block when the client attached, not an answer of ours.
    if (block.flags === 0) {
      this.attached();
      return;
    }
    const pending = this.pending[0];
    if (!pending) return;
    pending.replies.push(block);
    // A failed command ends its line: the commands after it in a ;-list answer nothing.
    if (!block.ok) {
      this.pending.shift();
      const lines = block.lines.map((line) => line.toString('utf8'));
      pending.reject?.(new ControlCommandError(lines));
      return;
    }
    if (pending.replies.length < pending.blocks) return;
    this.pending.shift();
    pending.answered?.(pending.replies);
    pending.resolve?.(pending.replies);
  }

  private finish(): void {
    if (this.told) return;
    this.told = true;
    this.stop();
    this.listeners.closed(this.exitReason === undefined ? 'eof' : this.exitReason);
  }

  /** No more input or output: pending commands fail, held lines are never sent. */
  private stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.held = null;
    this.heldBytes = 0;
    this.parser.end();
    for (const pending of this.pending.splice(0)) {
      pending.reject?.(new Error('the tmux client ended before tmux answered'));
    }
  }
}
