/**
 * tmux on an SSH host, reached through exec channels (pipes, no PTY) spread
 * over the connection's lanes: one-shot commands, and control clients that
 * live as long as their channel. Nothing here connects on its own: while the
 * host's main link is down, a command fails at once as `unreachable`, and a
 * control client ends, so its shell waits for the link (see TmuxProcess).
 */
import { PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import {
  TmuxCommandError,
  UNREACHABLE,
  type ControlPipe,
  type TmuxTransport,
} from '../backends/tmux/tmux-transport';
import { NotifyGate, notifiesEveryone } from '../backends/tmux/notify-gate';
import type { ResolvedConnection } from './connection-service';
import type { SshLanes } from './ssh-lanes';

export type SshTmuxTransportOptions = {
  /** The connection name (for words and for the lanes). */
  name: string;
  lanes: SshLanes;
  /** The name resolved through ~/.ssh/config, as when the host was first reached. */
  resolved: () => Promise<ResolvedConnection>;
  /** Whether the host's main link is up now. */
  linkUp: () => boolean;
  /** The tmux program on the host (a path the probe found, or `tmux`). */
  program: string;
  /** How long a one-shot command may take before it counts as unanswered. */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * One-shot commands in flight per host. Each takes a session channel while it runs: 50
 * sessions starting at once would otherwise ask for 150 channels (sshd allows 10 per link),
 * where their control clients need only 50.
 */
const MAX_RUNNING = 3;
/**
 * How long a one-shot command waits for the host's link to be `connected` before it fails
 * as unreachable (seen once in CI: a session's first command just after its link was made).
 */
const SETTLE_MS = 3_000;
/** Longest a control client may take to attach before others stop waiting for it. */
const ATTACH_HOLD_MS = 10_000;
/** Longest a leaving control client holds back what notifies (its channel's close). */
const LEAVE_HOLD_MS = 3_000;

export class SshTmuxTransport implements TmuxTransport {
  /** The tmux program on the host; the probe may find it elsewhere than on the PATH. */
  program: string;
  private running = 0;
  private readonly queued: Array<() => void> = [];
  /** Attaches against what notifies every control client (see notify-gate.ts). */
  private readonly gate = new NotifyGate();

  constructor(private readonly options: SshTmuxTransportOptions) {
    this.program = options.program;
  }

  reachable(): boolean {
    return this.options.linkUp();
  }

  async run(argv: readonly string[]): Promise<string> {
    // A link just (re)connecting or briefly quiet is waited for a moment, not failed at once.
    for (let waited = 0; !this.reachable() && waited < SETTLE_MS; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!this.reachable()) throw unreachable(this.options.name);
    if (this.running >= MAX_RUNNING) {
      await new Promise<void>((resolve) => this.queued.push(resolve));
    }
    this.running += 1;
    const release = notifiesEveryone(argv) ? await this.gate.exclusive() : undefined;
    try {
      return await this.runNow(argv);
    } finally {
      release?.();
      this.running -= 1;
      this.queued.shift()?.();
    }
  }

  private runNow(argv: readonly string[]): Promise<string> {
    const { name } = this.options;
    if (!this.reachable()) return Promise.reject(unreachable(name));
    const command = this.command(argv);
    return new Promise((resolve, reject) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      let release = () => {};
      const settle = (error: Error | null, stdout = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(stdout);
      };
      const timer = setTimeout(() => {
        channel?.close();
        settle(
          new TmuxCommandError(
            `tmux on ${name} did not answer within ${(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`,
            'TIMEOUT',
          ),
        );
      }, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      timer.unref?.();
      this.open(command).then(
        (opened) => {
          channel = opened.value;
          release = opened.release;
          if (settled) {
            channel.close();
            release();
            return;
          }
          const out: Buffer[] = [];
          const err: Buffer[] = [];
          let code: number | null = null;
          channel.on('data', (data: Buffer) => out.push(data));
          channel.stderr.on('data', (data: Buffer) => err.push(data));
          channel.on('error', () => {});
          channel.on('exit', (exitCode: number | null) => {
            code = exitCode;
          });
          channel.on('close', () => {
            release();
            const stdout = Buffer.concat(out).toString('utf8');
            const stderr = Buffer.concat(err).toString('utf8');
            if (code === 0) settle(null, stdout);
            else if (code === null) settle(unreachable(name));
            else settle(new TmuxCommandError(stderr || `tmux exited with ${code}`, code));
          });
          channel.end();
        },
        (error: unknown) => {
          settle(
            new TmuxCommandError(
              `tmux on ${name} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
              UNREACHABLE,
            ),
          );
        },
      );
    });
  }

  spawn(argv: readonly string[]): ControlPipe {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const listeners: Array<() => void> = [];
    let closed = false;
    let channel: ClientChannel | undefined;
    let release = () => {};
    // Held from before the channel opens until tmux has attached the client (its first
    // output), so nothing that notifies every control client reaches it half-attached.
    let holdTimer: ReturnType<typeof setTimeout> | undefined;
    let attaching: Promise<() => void> | undefined = this.gate.shared().then((done) => {
      // Counted from when the hold is granted, not from when it was asked for.
      holdTimer = setTimeout(attached, ATTACH_HOLD_MS);
      holdTimer.unref?.();
      return done;
    });
    const attached = () => {
      const held = attaching;
      attaching = undefined;
      void held?.then((done) => done());
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(holdTimer);
      attached();
      release();
      stdin.unpipe();
      stdout.end();
      for (const listener of listeners.splice(0)) listener();
    };
    const start = async () => {
      await attaching;
      if (closed) return;
      if (!this.reachable()) {
        close();
        return;
      }
      const opened = await this.open(this.command(argv));
      channel = opened.value;
      release = opened.release;
      if (closed) {
        channel.close();
        release();
        return;
      }
      const live = channel;
      // Read always (tmux's output never waits on us); what we write waits for the channel.
      live.on('data', (data: Buffer) => {
        attached();
        stdout.write(data);
      });
      live.stderr.on('data', () => {});
      live.on('error', () => {});
      live.on('close', close);
      stdin.pipe(live, { end: false });
      // The client leaves when its input ends: a detach every control client is told of.
      stdin.once('end', () => {
        if (!closed) void this.leave(live);
      });
    };
    start().catch(() => close());
    return {
      pid: -1,
      stdin,
      stdout,
      kill: () => {
        // A stalled link would hold the channel's close: the client counts as ended now.
        channel?.close();
        close();
      },
      onClose: (listener) => {
        if (closed) queueMicrotask(listener);
        else listeners.push(listener);
      },
    };
  }

  /** End a control client's input once no other client is attaching. */
  private async leave(channel: ClientChannel): Promise<void> {
    const done = await this.gate.exclusive();
    const timer = setTimeout(done, LEAVE_HOLD_MS);
    timer.unref?.();
    channel.once('close', () => {
      clearTimeout(timer);
      done();
    });
    channel.end();
  }

  private async open(command: string) {
    const resolved = await this.options.resolved();
    return this.options.lanes.open(this.options.name, resolved, (link) => link.exec(command));
  }

  private command(argv: readonly string[]): string {
    return ['exec', this.program, ...argv].map(shellQuote).join(' ');
  }
}

function unreachable(name: string): TmuxCommandError {
  return new TmuxCommandError(`${name} cannot be reached now`, UNREACHABLE);
}

/** One word for the user's shell on the host (sh, bash, zsh, fish alike): single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
