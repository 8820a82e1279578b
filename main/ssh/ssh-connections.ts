/**
 * One SSH connection per target, shared by everything that uses that host,
 * with a state a person can see and automatic reconnection (DESIGN.md §4).
 *
 * States per connection key:
 * - connecting: an attempt is under way (attempt: its number since the link
 *   was last up, from 1).
 * - connected: the link is up and the server answers.
 * - stalled: the link is up, but nothing arrived for stallAfterMs (ssh2's
 *   keepalives then close it after (ServerAliveCountMax + 1) intervals).
 * - disconnected: the link was lost, or an attempt failed in a way a retry
 *   may fix (refused, timeout, a lost jump host): the next attempt is at
 *   retryAt, on the backoff schedule. Without retryAt: closed on purpose.
 * - error: an attempt failed in a way retrying won't fix (login, host key,
 *   unknown name): no automatic retry; reconnect() or acquire() tries again.
 */
import type { ResolvedHost } from './ssh-config';
import { DEFAULT_KEEPALIVE_S } from './ssh-connect';
import { SshError, toSshError, type SshErrorKind } from './ssh-errors';
import { hopTarget } from './ssh-jump';
import type { SshLink } from './ssh-link';
import { LinkWatch } from './link-watch';

export type ConnectionState = 'connecting' | 'connected' | 'stalled' | 'disconnected' | 'error';

export type ConnectionChange = {
  key: string;
  state: ConnectionState;
  /** Why it is disconnected or in error. */
  error?: SshError;
  /** connecting: this attempt's number; disconnected/error: the attempt that failed. */
  attempt?: number;
  /** disconnected: when the next attempt starts (ms, the injected clock). */
  retryAt?: number;
  /** stalled: when bytes last arrived from the server (Date.now() ms). */
  silentSince?: number;
};

export type SshConnectionsOptions = {
  /** key: the connection (lane) key the link is for. */
  connect: (target: ResolvedHost, key: string) => Promise<SshLink>;
  /** Delays before each retry since the link was last up; the last repeats. */
  backoffMs?: number[];
  /** Default: 1.5 × the keepalive interval (ServerAliveInterval, else 10 s): 15 s. */
  stallAfterMs?: (target: ResolvedHost) => number;
  /** How often a link is checked for a stall; default min(1 s, stallAfterMs / 3). */
  stallPollMs?: number;
  log?: (message: string) => void;
  now?: () => number;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
};

export const DEFAULT_BACKOFF_MS = [1000, 2000, 5000, 10000, 30000];

/** Connections are shared by user, host, port and route (the ProxyJump chain). */
export function connectionKey(target: ResolvedHost): string {
  const host = target.hostName.includes(':') ? `[${target.hostName}]` : target.hostName;
  const key = `${target.user}@${host}:${target.port}`;
  if (target.proxyJump.length === 0) return key;
  return `${key} via ${target.proxyJump.map(hopTarget).join(',')}`;
}

/**
 * A second (third...) link to the same target, for when one link carries all the
 * sessions its server allows (sshd's MaxSessions, 10 by default). Lane 0 is the
 * connection people see; the others are its overflow.
 */
export function laneKey(key: string, lane: number): string {
  return lane === 0 ? key : `${key} #${lane + 1}`;
}

/** Failures that a later attempt may not repeat: the network, not the configuration. */
const RETRIABLE: ReadonlySet<SshErrorKind> = new Set([
  'connection_lost',
  'connection_refused',
  'timeout',
]);

export function isRetriable(error: SshError): boolean {
  if (RETRIABLE.has(error.kind)) return true;
  if (error.kind !== 'jump_failed') return false;
  const cause = error.cause as (Error & { reason?: unknown }) | undefined;
  if (cause instanceof SshError) return isRetriable(cause);
  // A direct-tcpip open that failed with "connect failed": the jump host cannot reach it now.
  return cause?.reason === 2;
}

type Entry = {
  key: string;
  target: ResolvedHost;
  state: ConnectionState;
  link?: SshLink;
  inflight?: Promise<SshLink>;
  /** Attempts since the link was last up. */
  attempts: number;
  /** Retries scheduled since the link was last up: the place in the backoff schedule. */
  retries: number;
  retryTimer?: unknown;
  watch?: LinkWatch;
  offClose?: () => void;
};

export class SshConnections {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(change: ConnectionChange) => void>();
  private disposed = false;
  private readonly backoff: number[];
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: SshConnectionsOptions) {
    this.backoff = options.backoffMs?.length ? options.backoffMs : DEFAULT_BACKOFF_MS;
    this.now = options.now ?? Date.now;
    this.setTimer =
      options.setTimeout ??
      ((callback, ms) => {
        const timer = setTimeout(callback, ms);
        timer.unref?.();
        return timer;
      });
    this.clearTimer =
      options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  /**
   * The live link, the attempt in flight, or a new attempt (now, even during a backoff),
   * on one lane (see laneKey) of the target's connection.
   */
  acquire(target: ResolvedHost, lane = 0): Promise<SshLink> {
    if (this.disposed) return Promise.reject(new Error('SSH connections are disposed'));
    const key = laneKey(connectionKey(target), lane);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { key, target, state: 'disconnected', attempts: 0, retries: 0 };
      this.entries.set(key, entry);
    }
    if (entry.link) return Promise.resolve(entry.link);
    if (entry.inflight) return entry.inflight;
    entry.target = target;
    return this.attempt(entry);
  }

  /** Try now: cancels a pending backoff, also from 'error'. A live link is returned as it is. */
  reconnect(key: string): Promise<SshLink> {
    const entry = this.entries.get(key);
    if (this.disposed || !entry) return Promise.reject(new Error(`no SSH connection ${key}`));
    if (entry.link) return Promise.resolve(entry.link);
    if (entry.inflight) return entry.inflight;
    return this.attempt(entry);
  }

  /** undefined for a key never acquired (or closed). */
  state(key: string): ConnectionState | undefined {
    return this.entries.get(key)?.state;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  onChange(listener: (change: ConnectionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the key's link and forgets it; a last 'disconnected' (no retryAt) is reported. */
  async close(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    const closing = this.forget(entry);
    this.emit({ key, state: 'disconnected' });
    await closing;
  }

  /** Closes every link, stops every timer; no events after, no reconnects. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    await Promise.all([...this.entries.values()].map((entry) => this.forget(entry)));
  }

  private forget(entry: Entry): Promise<void> {
    this.entries.delete(entry.key);
    this.cancelRetry(entry);
    entry.watch?.stop();
    entry.offClose?.();
    const link = entry.link;
    entry.link = undefined;
    return link ? link.close() : Promise.resolve();
  }

  private live(entry: Entry): boolean {
    return !this.disposed && this.entries.get(entry.key) === entry;
  }

  private attempt(entry: Entry): Promise<SshLink> {
    this.cancelRetry(entry);
    entry.attempts += 1;
    const attempt = entry.attempts;
    this.set(entry, { state: 'connecting', attempt });
    const { target } = entry;
    const result = Promise.resolve()
      .then(() => this.options.connect(target, entry.key))
      .then(
        (link) => {
          if (!this.live(entry)) {
            void link.close();
            throw new Error(`the SSH connection ${entry.key} was closed while connecting`);
          }
          entry.inflight = undefined;
          this.adopt(entry, link);
          return link;
        },
        (error: unknown) => {
          const sshError = toSshError(error, { host: target.hostName, port: target.port });
          if (this.live(entry)) {
            entry.inflight = undefined;
            this.failed(entry, sshError, attempt);
          }
          throw sshError;
        },
      );
    entry.inflight = result;
    // Background attempts have no caller: their failure is reported as a state.
    result.catch(() => {});
    return result;
  }

  private adopt(entry: Entry, link: SshLink): void {
    entry.link = link;
    entry.attempts = 0;
    entry.retries = 0;
    const watch = new LinkWatch({
      lastReceivedAt: () => link.lastReceivedAt(),
      stallAfterMs: this.stallAfter(entry.target),
      pollMs: this.options.stallPollMs,
      onStall: () => {
        this.options.log?.(`${entry.key}: nothing received, stalled`);
        this.set(entry, { state: 'stalled', silentSince: link.lastReceivedAt() });
      },
      onResume: () => this.set(entry, { state: 'connected' }),
    });
    entry.watch = watch;
    entry.offClose = link.onClose((reason) => {
      if (entry.link !== link || !this.live(entry)) return;
      watch.stop();
      entry.link = undefined;
      entry.watch = undefined;
      entry.offClose = undefined;
      if (reason === null) {
        this.set(entry, { state: 'disconnected' });
      } else {
        this.options.log?.(`${entry.key}: ${reason.message}`);
        this.failed(entry, reason, undefined);
      }
    });
    this.set(entry, { state: 'connected' });
  }

  private failed(entry: Entry, error: SshError, attempt: number | undefined): void {
    if (!isRetriable(error)) {
      this.set(entry, { state: 'error', error, attempt });
      return;
    }
    const delay = this.backoff[Math.min(entry.retries, this.backoff.length - 1)] as number;
    entry.retries += 1;
    const retryAt = this.now() + delay;
    entry.retryTimer = this.setTimer(() => {
      entry.retryTimer = undefined;
      if (this.live(entry) && !entry.link && !entry.inflight) void this.attempt(entry);
    }, delay);
    this.set(entry, { state: 'disconnected', error, attempt, retryAt });
  }

  private cancelRetry(entry: Entry): void {
    if (entry.retryTimer === undefined) return;
    this.clearTimer(entry.retryTimer);
    entry.retryTimer = undefined;
  }

  private stallAfter(target: ResolvedHost): number {
    if (this.options.stallAfterMs) return this.options.stallAfterMs(target);
    return (target.serverAliveIntervalS ?? DEFAULT_KEEPALIVE_S) * 1500;
  }

  private set(entry: Entry, change: Omit<ConnectionChange, 'key'>): void {
    entry.state = change.state;
    const event: ConnectionChange = { key: entry.key, state: change.state };
    if (change.error) event.error = change.error;
    if (change.attempt !== undefined) event.attempt = change.attempt;
    if (change.retryAt !== undefined) event.retryAt = change.retryAt;
    if (change.silentSince !== undefined) event.silentSince = change.silentSince;
    this.emit(event);
  }

  private emit(change: ConnectionChange): void {
    if (this.disposed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.options.log?.(`a connection listener failed: ${String(error)}`);
      }
    }
  }
}
