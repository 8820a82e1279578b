/**
 * Test harness for the core: a real core on a temp data dir, and clients that
 * record the events they receive, with helpers to wait for terminal output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttachReply, EventName, Reply, RequestName, Result } from '../../preload/contract';
import { createCore, type Core, type CoreClient, type CoreOptions } from '../core';
import { createLogger } from '../log';

export type RecordedEvent = { name: EventName; payload: unknown };

export class TestClient {
  readonly events: RecordedEvent[] = [];
  private readonly output = new Map<string, Buffer[]>();
  private waiters: Array<() => void> = [];
  readonly client: CoreClient;

  constructor(core: Core) {
    this.client = core.connect((name, payload) => {
      this.events.push({ name, payload });
      if (name === 'zoneOutput') {
        const { zone, data } = payload as { zone: string; data: Uint8Array };
        const list = this.output.get(zone) ?? [];
        list.push(Buffer.from(data));
        this.output.set(zone, list);
      }
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  call(name: unknown, payload: unknown): Promise<Result<unknown>> {
    return this.client.call(name, payload);
  }

  /** Call and unwrap, failing the test with the error on a rejected request. */
  async request<K extends RequestName>(name: K, payload: unknown): Promise<Reply<K>> {
    const result = await this.client.call(name, payload);
    if (!result.ok)
      throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
    return result.value as Reply<K>;
  }

  text(zone: string): string {
    return Buffer.concat(this.output.get(zone) ?? []).toString('utf8');
  }

  bytes(zone: string): number {
    return (this.output.get(zone) ?? []).reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }

  /** Wait until `check` passes, re-checking after every event. */
  async until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  untilText(zone: string, pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
    return this.until(() => this.text(zone).match(pattern) ?? undefined, `${pattern}`, timeoutMs);
  }

  dispose(): void {
    this.client.dispose();
  }
}

/** The block a freshly loaded window would type into: the active tab's focused block. */
export async function focusedBlock(client: TestClient): Promise<string> {
  const { workspace } = await client.request('loadWorkspace', {});
  const active = workspace.tabs.find((tab) => tab.id === workspace.activeTabId);
  if (!active) throw new Error('the active tab is not one of the tabs');
  return active.layout.focusedBlockId;
}

export type Harness = {
  dataDir: string;
  core: Core;
  client(): TestClient;
  /** Attach a fresh client to the focused block of the active tab. */
  attachFirst(
    cols?: number,
    rows?: number,
  ): Promise<{ client: TestClient; reply: AttachReply; blockId: string }>;
  restart(options?: Partial<CoreOptions>): Promise<void>;
  dispose(): Promise<void>;
};

export async function startHarness(options: Partial<CoreOptions> = {}): Promise<Harness> {
  // A given data dir is one another core used first (it is removed at dispose all the same).
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tether-core-'));
  const make = (extra: Partial<CoreOptions>) =>
    createCore({
      dataDir,
      mode: 'browser',
      shell: '/bin/bash',
      cwd: dataDir,
      log: createLogger(process.env.TETHER_LOG ?? 'silent'),
      // Most core tests are about sessions, not backends: pty unless a test asks for tmux.
      localBackend: 'pty',
      ...options,
      ...extra,
      // The shells read no dotfiles of this machine's user (a pyenv hook, a slow prompt),
      // whatever else a test sets for them.
      env: { HOME: dataDir, ...options.env, ...extra.env },
    });
  const clients: TestClient[] = [];
  const harness: Harness = {
    dataDir,
    core: await make({}),
    client() {
      const client = new TestClient(harness.core);
      clients.push(client);
      return client;
    },
    async attachFirst(cols = 80, rows = 24) {
      const client = harness.client();
      const blockId = await focusedBlock(client);
      const reply = await client.request('attachBlock', { blockId, cols, rows });
      return { client, reply, blockId };
    },
    async restart(extra = {}) {
      for (const client of clients.splice(0)) client.dispose();
      await harness.core.dispose();
      harness.core = await make(extra);
    },
    async dispose() {
      for (const client of clients.splice(0)) client.dispose();
      await harness.core.dispose();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
  return harness;
}
