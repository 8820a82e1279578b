/**
 * Connections as the app sees them (DESIGN.md §4): a name (`local`, a Host
 * alias, `user@host:port`) resolved through the user's ~/.ssh/config, one
 * shared SSH link per target (SshConnections), its state told to every
 * window, and the login's questions put to whoever is looking (PromptBroker).
 *
 * The ssh config is read again for every new link, so an edit to it applies
 * to the next connection without a restart; `Match exec` is never run.
 */
import type { Kysely } from 'kysely';
import { connectionProblem, LOCAL_CONNECTION } from '../../preload/connection-name';
import type { ConnectionInfo, ConnectionStatus } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { Database } from '../../db/schema';
import type { Logger } from '../log';
import {
  listHostAliases,
  loadSshConfig,
  resolveHost,
  type ResolvedHost,
  type SshConfig,
} from '../ssh/ssh-config';
import { connectSsh, jumpResolver, type SshLink } from '../ssh/ssh-connect';
import {
  connectionKey,
  laneKey,
  SshConnections,
  type ConnectionChange,
} from '../ssh/ssh-connections';
import { PromptBroker, type PromptEvents } from './prompt-broker';
import { recentConnections, recordRecentConnection } from './recent-connections';
import { promptsFor } from './ssh-prompts';

export type ConnectionServiceOptions = {
  db: Kysely<Database>;
  log: Logger;
  /** Whose ~/.ssh is used (config, keys, known_hosts). */
  home: string;
  localUser: string;
  /** SSH_AUTH_SOCK; no agent when unset. */
  agentSocket?: string;
  /** Host name to address; tests inject one so nothing asks a real DNS server. */
  resolve?: (host: string) => Promise<string>;
  events: PromptEvents & { changed(status: ConnectionStatus): void };
  backoffMs?: number[];
  stallAfterMs?: number;
  promptTimeoutMs?: number;
  now?: () => number;
};

/** A connection name through ~/.ssh/config: where it goes, and its shared-link key. */
export type ResolvedConnection = { target: ResolvedHost; config: SshConfig; key: string };

/** Who a link (lane) was opened for: its questions go to that connection's blocks. */
type LaneOwner = { name: string; config: SshConfig };

export class ConnectionService {
  readonly prompts: PromptBroker;
  private readonly links: SshConnections;
  /** Connection name → the key of the target it resolved to last. */
  private readonly keyOf = new Map<string, string>();
  private readonly owners = new Map<string, LaneOwner>();
  private readonly latest = new Map<string, ConnectionChange>();
  private readonly onceTrusted = new Set<string>();
  private readonly watchers = new Set<(status: ConnectionStatus) => void>();
  private readonly now: () => number;

  constructor(private readonly options: ConnectionServiceOptions) {
    this.now = options.now ?? Date.now;
    this.prompts = new PromptBroker(options.events, options.promptTimeoutMs);
    const stallAfterMs = options.stallAfterMs;
    this.links = new SshConnections({
      connect: (target, key) => this.connect(target, key),
      backoffMs: options.backoffMs,
      stallAfterMs: stallAfterMs === undefined ? undefined : () => stallAfterMs,
      log: (message) => options.log.info(`ssh: ${message}`),
      now: this.now,
    });
    this.links.onChange((change) => this.changed(change));
  }

  /** The name resolved through ~/.ssh/config; a bad name or config is `invalid_connection`. */
  async target(name: string): Promise<ResolvedConnection> {
    const problem = connectionProblem(name);
    if (problem || name === LOCAL_CONNECTION) {
      throw new TetherError('invalid_connection', problem ?? 'local is not an SSH connection.');
    }
    try {
      const config = await loadSshConfig({ home: this.options.home });
      const target = resolveHost(config, name, this.resolveOptions());
      return { target, config, key: connectionKey(target) };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new TetherError('invalid_connection', `Cannot use ${name}: ${why}`);
    }
  }

  /**
   * The shared link to the name's target on a lane (0: the main one), connecting if needed;
   * `resolved` is the name's `target()`, read once by the caller.
   */
  link(name: string, resolved: ResolvedConnection, lane = 0): Promise<SshLink> {
    const { target, config, key } = resolved;
    this.keyOf.set(name, key);
    this.owners.set(laneKey(key, lane), { name, config });
    return this.links.acquire(target, lane);
  }

  /** Whether the name's main link is up and answering now (not connecting, stalled or down). */
  isUp(name: string): boolean {
    const key = this.keyOf.get(name);
    return key !== undefined && this.links.state(key) === 'connected';
  }

  /** Every change of a connection's main link, as its blocks see it. */
  watch(listener: (status: ConnectionStatus) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Close one lane's link (nothing runs on it any more). */
  closeLane(key: string, lane: number): Promise<void> {
    return this.links.close(laneKey(key, lane));
  }

  status(name: string): ConnectionStatus {
    if (name === LOCAL_CONNECTION) {
      return { connection: name, state: 'ready', message: null, retryAt: null, silentSince: null };
    }
    const key = this.keyOf.get(name);
    const change = key === undefined ? undefined : this.latest.get(key);
    return toStatus(name, change);
  }

  /** local, then the connections used before (most recent first), then the other Host aliases. */
  async list(): Promise<ConnectionInfo[]> {
    const recent = await recentConnections(this.options.db).catch((error: unknown) => {
      this.options.log.warn('recent connections could not be read', error);
      return [];
    });
    let config: SshConfig | null = null;
    try {
      config = await loadSshConfig({ home: this.options.home });
    } catch (error) {
      this.options.log.warn('~/.ssh/config could not be read', error);
    }
    const aliases = config ? listHostAliases(config) : [];
    const fromConfig = new Set(aliases);
    const usedAt = new Map(recent.map((entry) => [entry.name, entry.usedAt]));
    const names = [
      LOCAL_CONNECTION,
      ...recent.map((entry) => entry.name).filter((name) => name !== LOCAL_CONNECTION),
      ...aliases.filter((alias) => !usedAt.has(alias)).sort((a, b) => a.localeCompare(b)),
    ];
    return names.map((name) => ({
      name,
      kind: name === LOCAL_CONNECTION ? 'local' : 'ssh',
      target: name === LOCAL_CONNECTION || !config ? null : this.describe(config, name),
      fromConfig: fromConfig.has(name),
      lastUsedAt: usedAt.get(name) ?? null,
      status: this.status(name),
    }));
  }

  /** Connect now (a person asked): a failure is `connection_failed` with the reason. */
  async reconnect(name: string): Promise<void> {
    if (name === LOCAL_CONNECTION) return;
    const { target, config, key } = await this.target(name);
    this.keyOf.set(name, key);
    this.owners.set(key, { name, config });
    try {
      await (this.links.state(key) === undefined
        ? this.links.acquire(target)
        : this.links.reconnect(key));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new TetherError('connection_failed', `Could not connect to ${name}: ${why}`);
    }
  }

  /** A block was opened on the connection: it moves to the top of the picker. */
  async recordUse(name: string): Promise<void> {
    await recordRecentConnection(this.options.db, name, this.now()).catch((error: unknown) => {
      this.options.log.warn(`could not remember ${name} as a recent connection`, error);
    });
  }

  async dispose(): Promise<void> {
    this.prompts.cancelAll();
    await this.links.dispose();
  }

  private connect(target: ResolvedHost, key: string): Promise<SshLink> {
    const owner = this.owners.get(key);
    const name = owner?.name ?? target.alias;
    return connectSsh(target, {
      agentSocket: this.options.agentSocket,
      resolve: this.options.resolve,
      resolveJump: owner ? jumpResolver(owner.config, this.resolveOptions()) : undefined,
      prompts: promptsFor(name, this.prompts, this.onceTrusted),
      log: (message) => this.options.log.info(`ssh ${name}: ${message}`),
    });
  }

  private changed(change: ConnectionChange): void {
    this.latest.set(change.key, change);
    for (const [name, key] of this.keyOf) {
      if (key !== change.key) continue;
      const status = toStatus(name, change);
      this.options.events.changed(status);
      for (const watcher of [...this.watchers]) watcher(status);
    }
  }

  private describe(config: SshConfig, name: string): string | null {
    try {
      return connectionKey(resolveHost(config, name, this.resolveOptions()));
    } catch {
      return null;
    }
  }

  private resolveOptions() {
    return { localUser: this.options.localUser, home: this.options.home };
  }
}

function toStatus(name: string, change: ConnectionChange | undefined): ConnectionStatus {
  if (!change) {
    return { connection: name, state: 'idle', message: null, retryAt: null, silentSince: null };
  }
  // Closed on purpose (nothing used it): nothing is wrong, it is just not open.
  const idle = change.state === 'disconnected' && !change.error && change.retryAt === undefined;
  return {
    connection: name,
    state: idle ? 'idle' : change.state,
    message: change.error?.message ?? null,
    retryAt: change.retryAt ?? null,
    silentSince: change.silentSince ?? null,
  };
}
