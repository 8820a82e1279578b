/**
 * Property test of the session manager against real parts (a SQLite file,
 * bash through node-pty, the mirror worker): random sequences of what users,
 * shells and the app do, through the real API, with the invariants of
 * DESIGN.md §3 checked after every step:
 *
 * (a) memory equals the database for every durable field;
 * (b) a block's session exists, on the block's connection;
 * (c) a session's attached set is exactly the blocks pointing at it;
 * (d) a done session comes back only by an explicit restart of it;
 * (e) after the app restarts, no pty session is running, and every tmux session
 *     that was running runs on, with the same shell;
 * and, after any sequence, the checker finds nothing to repair.
 *
 * It runs twice: local sessions on pty, and on tmux (a private tmux server),
 * where steps also kill tmux sessions from outside. Every pty shell a run
 * started has ended once the rig is disposed; every tmux shell still running
 * belongs to a session that is not done, and ends with its server.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { getBlock, listBlocks } from '../../db/repositories/blocks';
import type { SessionRow } from '../../db/schema';
import type { ErrorCode, Result } from '../../preload/contract';
import { cleanName, LAYOUT_LIMITS, nameProblem, type Tab } from '../../preload/layout';
import type { TestClient } from '../testing/core-harness';
import { expectConsistent } from '../testing/session-invariants';
import { SessionRig } from '../testing/session-rig';
import { leaf, processEnds, tab, workspaceOf } from '../testing/workspace-fixtures';
import { paneOf, tmux } from '../testing/tmux-probe';

/** Sessions on another host: only the manager can make them (the API speaks `local`). */
const REMOTE = 'elsewhere';
const CLIENTS = 3;

/** Some of the model's ids (including deleted and closed ones), or one nobody ever made. */
type Target = { known: number } | { unknown: true };

type Step =
  | { kind: 'createSession'; name: string | null; remote: boolean }
  | { kind: 'createBlock'; client: number; share: Target | null }
  | { kind: 'attachSession'; client: number; block: Target; session: Target }
  | { kind: 'attachBlock'; client: number; block: Target }
  | { kind: 'detachBlock'; client: number; block: Target }
  | { kind: 'closeBlock'; block: number }
  | { kind: 'killShell'; session: number }
  | { kind: 'killTmuxSession'; session: number }
  | { kind: 'rename'; session: Target; name: string | null }
  | { kind: 'delete'; session: Target }
  | { kind: 'restartSession'; client: number; session: Target; block: Target }
  | { kind: 'restartCore' }
  | { kind: 'check' };

const index = fc.nat({ max: 1_000 });
const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 9, arbitrary: index.map((known) => ({ known })) },
  { weight: 1, arbitrary: fc.constant({ unknown: true as const }) },
);
const client = fc.nat({ max: CLIENTS - 1 });
const name: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  // Few names, so duplicates are common.
  { weight: 4, arbitrary: fc.constantFrom('work', 'build', ' logs ') },
  { weight: 1, arbitrary: fc.constantFrom('', '   ') },
  // A control character, one past the length limit, and past what the payload schema takes.
  { weight: 1, arbitrary: fc.constantFrom('bell\u0007', 'x'.repeat(65), 'y'.repeat(300)) },
  // One name typed two ways (é composed, and e + combining acute): the same name.
  { weight: 1, arbitrary: fc.constantFrom('caf\u00e9', 'cafe\u0301') },
  // Names that lie: half a surrogate pair, a direction override, a zero-width space.
  { weight: 1, arbitrary: fc.constantFrom('sur-\ud800', 'rtl\u202egnp.exe', 'w\u200bork') },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('createSession' as const),
      name,
      remote: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('createBlock' as const),
      client,
      share: fc.option(target),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('attachSession' as const),
      client,
      block: target,
      session: target,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('attachBlock' as const), client, block: target }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('detachBlock' as const), client, block: target }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('closeBlock' as const), block: index }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('killShell' as const), session: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('killTmuxSession' as const), session: index }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('rename' as const), session: target, name }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), session: target }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('restartSession' as const),
      client,
      session: target,
      block: target,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restartCore' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'check' as const }) },
);

/** What the test knows besides the rig itself. */
class Model {
  /** Every session id ever seen, deleted ones included (they must answer not_found). */
  readonly sessionIds: string[] = [];
  /** Every block id ever created, closed ones included. */
  readonly blockIds: string[] = [];
  /** The blocks the workspace shows, each in a tab of its own. */
  readonly tabs = new Map<string, Tab>();
  /** The status each session had after the previous step. */
  readonly statuses = new Map<string, SessionRow['status']>();
  /** Every shell pid seen running. */
  readonly pids = new Set<number>();
  /** Running sessions and their shell pids just before the last restartCore. */
  runningBeforeRestart = new Map<string, number>();
  clients: TestClient[] = [];
  readonly log: string[] = [];

  constructor(
    readonly rig: SessionRig,
    readonly local: 'pty' | 'tmux',
  ) {}

  client(which: number): TestClient {
    while (this.clients.length <= which) this.clients.push(this.rig.client());
    return this.clients[which]!;
  }

  session(target: Target): string {
    if ('unknown' in target || this.sessionIds.length === 0) return randomUUID();
    return this.sessionIds[target.known % this.sessionIds.length]!;
  }

  block(target: Target): string {
    if ('unknown' in target || this.blockIds.length === 0) return randomUUID();
    return this.blockIds[target.known % this.blockIds.length]!;
  }

  addSession(id: string): void {
    if (!this.sessionIds.includes(id)) this.sessionIds.push(id);
  }

  async save(): Promise<Result<unknown>> {
    const workspace = workspaceOf([...this.tabs.values()]);
    return this.client(0).call('saveWorkspace', { workspace });
  }
}

/** The outcome a request must have: ok, or this error code (never `internal`). */
function expectOutcome(result: Result<unknown>, want: ErrorCode | 'ok', what: string): void {
  const got = result.ok ? 'ok' : result.error.code;
  expect(got, `${what}: ${result.ok ? '' : result.error.message}`).toBe(want);
}

/** The code a name gets, checked as the API checks it (schema first, then the manager). */
function nameOutcome(
  rig: SessionRig,
  raw: string | null,
  connection: string,
  self: string | null,
  viaApi: boolean,
): ErrorCode | 'ok' {
  if (raw === null) return 'ok';
  if (viaApi && raw.length > 256) return 'invalid_payload';
  const trimmed = cleanName(raw);
  if (trimmed === '') return 'ok';
  if (nameProblem(trimmed)) return 'invalid_name';
  for (const live of rig.manager.sessions.values()) {
    if (live.row.id === self || live.row.connection !== connection) continue;
    if (live.row.name === trimmed) return 'name_taken';
  }
  return 'ok';
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function run(model: Model, step: Step): Promise<void> {
  const { rig } = model;
  const manager = rig.manager;
  switch (step.kind) {
    case 'createSession': {
      const connection = step.remote ? REMOTE : 'local';
      const want = nameOutcome(rig, step.name, connection, null, !step.remote);
      let result: Result<{ id: string }>;
      if (step.remote) {
        result = await manager.create(REMOTE, step.name).then(
          (value) => ({ ok: true as const, value }),
          (error: { code: ErrorCode; message: string }) => ({
            ok: false as const,
            error: { code: error.code, message: error.message },
          }),
        );
      } else {
        result = (await model
          .client(0)
          .call('createSession', { connection, name: step.name })) as Result<{ id: string }>;
      }
      expectOutcome(result, want, `create ${JSON.stringify(step.name)} on ${connection}`);
      if (result.ok) model.addSession(result.value.id);
      return;
    }
    case 'createBlock': {
      const sessionId = step.share ? model.session(step.share) : undefined;
      const shared = sessionId ? manager.sessions.get(sessionId) : undefined;
      const want =
        sessionId === undefined
          ? 'ok'
          : !shared
            ? 'not_found'
            : shared.row.connection !== 'local'
              ? 'wrong_connection'
              : 'ok';
      const result = await model.client(step.client).call('createBlock', {
        connection: 'local',
        ...(sessionId ? { sessionId } : {}),
      });
      expectOutcome(result, want, 'createBlock');
      if (!result.ok) return;
      const block = result.value as { id: string; sessionId: string };
      if (sessionId) expect(block.sessionId).toBe(sessionId);
      model.addSession(block.sessionId);
      model.blockIds.push(block.id);
      model.tabs.set(block.id, tab(`Tab ${model.tabs.size + 1}`, leaf(block.id)));
      expectOutcome(await model.save(), 'ok', 'save with the new block');
      return;
    }
    case 'attachSession': {
      const blockId = model.block(step.block);
      const sessionId = model.session(step.session);
      const block = await getBlock(rig.db, blockId);
      const live = manager.sessions.get(sessionId);
      const want = !block
        ? 'not_found'
        : !live
          ? 'not_found'
          : live.row.connection !== block.connection
            ? 'wrong_connection'
            : 'ok';
      const result = await model
        .client(step.client)
        .call('attachSession', { blockId, sessionId, cols: 80, rows: 24 });
      expectOutcome(result, want, 'attachSession');
      return;
    }
    case 'attachBlock': {
      const blockId = model.block(step.block);
      const block = await getBlock(rig.db, blockId);
      const want = !block ? 'not_found' : block.sessionId === null ? 'detached' : 'ok';
      const result = await model
        .client(step.client)
        .call('attachBlock', { blockId, cols: 80, rows: 24 });
      expectOutcome(result, want, 'attachBlock');
      return;
    }
    case 'detachBlock': {
      const blockId = model.block(step.block);
      const want = (await getBlock(rig.db, blockId)) ? 'ok' : 'not_found';
      expectOutcome(
        await model.client(step.client).call('detachBlock', { blockId }),
        want,
        'detachBlock',
      );
      return;
    }
    case 'closeBlock': {
      const placed = [...model.tabs.keys()];
      // A workspace always has a tab.
      if (placed.length < 2) return;
      model.tabs.delete(placed[step.block % placed.length]!);
      expectOutcome(await model.save(), 'ok', 'save without the block');
      // The closed block is detached after the save replies, in the manager's queue.
      await rig.settled();
      return;
    }
    case 'killShell': {
      const running = [...manager.sessions.values()].filter(
        (live) => live.shell && live.row.status === 'running',
      );
      if (running.length === 0) return;
      const live = running[step.session % running.length]!;
      process.kill(live.shell!.pid, 'SIGKILL');
      // A limit for a broken test: tmux may take seconds to reap a shell on a busy machine.
      await until(
        () => manager.sessions.get(live.row.id)?.row.status !== 'running',
        `session ${live.row.id} to be done after its shell was killed`,
        15_000,
      );
      return;
    }
    case 'killTmuxSession': {
      // Someone runs `tmux -L tether kill-session` on a local session (tmux only).
      const running = [...manager.sessions.values()].filter(
        (live) => live.shell && live.row.status === 'running' && live.row.backend === 'tmux',
      );
      if (running.length === 0) return;
      const live = running[step.session % running.length]!;
      await tmux(['kill-session', '-t', (await paneOf(live.row.id)).session]);
      await until(
        () => manager.sessions.get(live.row.id)?.row.status !== 'running',
        `session ${live.row.id} to be done after tmux kill-session`,
      );
      return;
    }
    case 'rename': {
      const sessionId = model.session(step.session);
      const live = manager.sessions.get(sessionId);
      const want = !live
        ? step.name !== null && step.name.length > 256
          ? 'invalid_payload'
          : 'not_found'
        : nameOutcome(rig, step.name, live.row.connection, sessionId, true);
      const result = await model.client(0).call('renameSession', { sessionId, name: step.name });
      expectOutcome(result, want, `rename to ${JSON.stringify(step.name)}`);
      return;
    }
    case 'delete': {
      const sessionId = model.session(step.session);
      const want = manager.sessions.has(sessionId) ? 'ok' : 'not_found';
      expectOutcome(await model.client(0).call('deleteSession', { sessionId }), want, 'delete');
      return;
    }
    case 'restartSession': {
      const sessionId = model.session(step.session);
      const live = manager.sessions.get(sessionId);
      const blockId = model.block(step.block);
      const block = await getBlock(rig.db, blockId);
      const want = !live
        ? 'not_found'
        : live.row.status !== 'done'
          ? 'not_running'
          : !block
            ? 'not_found'
            : live.row.connection !== block.connection
              ? 'wrong_connection'
              : 'ok';
      const result = await model
        .client(step.client)
        .call('restartSession', { sessionId, blockId, cols: 80, rows: 24 });
      expectOutcome(result, want, 'restartSession');
      return;
    }
    case 'restartCore': {
      model.runningBeforeRestart = new Map(
        [...manager.sessions.values()]
          .filter(
            (live) => live.row.status === 'running' && live.shell && live.row.backend === 'tmux',
          )
          .map((live) => [live.row.id, live.shell!.pid]),
      );
      await rig.restart();
      model.clients = [];
      // The start-up check found a consistent database: nothing to repair.
      expect(rig.checker.report().repairs).toEqual({});
      const loaded = await model.client(0).request('loadWorkspace', {});
      expect(new Set(loaded.blocks.map((block) => block.id))).toEqual(new Set(model.tabs.keys()));
      return;
    }
    case 'check': {
      expect(await rig.checker.run()).toEqual({});
      return;
    }
  }
}

async function checkInvariants(model: Model, step: Step): Promise<void> {
  const { rig } = model;
  const manager = rig.manager;
  // (a), (b), (c): memory and database agree, blocks point at sessions that exist on their
  // connection, attached sets are the blocks pointing at each session.
  await expectConsistent(rig);

  // (d) done stays done unless that very session was restarted; nothing rests in init.
  for (const live of manager.sessions.values()) {
    const { id, status } = live.row;
    expect(['running', 'done'], `status of ${id}`).toContain(status);
    const before = model.statuses.get(id);
    if (before === 'done' && status !== 'done') {
      const restarted = step.kind === 'restartSession' && model.session(step.session) === id;
      expect(restarted, `done session ${id} came back without a restart (${step.kind})`).toBe(true);
    }
    if (status === 'running') {
      expect(live.shell, `running session ${id} has a shell`).not.toBeNull();
      expect(live.row.backendRef, `backendRef of ${id}`).toBe(live.shell!.ref);
      const ref = JSON.parse(live.row.backendRef ?? '{}') as { pid?: number; id?: string };
      if (live.row.backend === 'tmux') expect(ref.id, `tmux ref of ${id}`).toBe(id);
      else expect(ref.pid, `backendRef of ${id}`).toBe(live.shell!.pid);
      model.pids.add(live.shell!.pid);
    }
  }
  model.statuses.clear();
  for (const live of manager.sessions.values()) model.statuses.set(live.row.id, live.row.status);

  // (e) a pty shell does not outlive the app; a tmux shell does, the same one.
  if (step.kind === 'restartCore') {
    for (const live of manager.sessions.values()) {
      const before = model.runningBeforeRestart.get(live.row.id);
      if (before === undefined) {
        expect(live.row.status, `session ${live.row.id} after a restart`).toBe('done');
      } else {
        expect(live.row.status, `tmux session ${live.row.id} after a restart`).toBe('running');
        expect(live.shell?.pid, `the shell of ${live.row.id} after a restart`).toBe(before);
      }
    }
  }

  // The workspace shows exactly the blocks the database holds.
  const blocks = await listBlocks(rig.db);
  expect(new Set(blocks.map((block) => block.id))).toEqual(new Set(model.tabs.keys()));
}

function describeStep(step: Step): string {
  return JSON.stringify(step, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 20
      ? `${value.slice(0, 8)}…(${value.length})`
      : value,
  );
}

let rig: SessionRig | undefined;
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
});

describe('session manager properties', () => {
  for (const local of ['pty', 'tmux'] as const) {
    it(`keeps memory, database, blocks and shells consistent under random operations (${local})`, async () => {
      // Each block gets a tab of its own: the limit must be above what a run can make.
      expect(LAYOUT_LIMITS.tabs).toBeGreaterThan(40);
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 40 }), async (steps) => {
          rig = await SessionRig.start({ local });
          const model = new Model(rig, local);
          let surviving: Array<{ pid: number; id: string }>;
          try {
            const loaded = await model.client(0).request('loadWorkspace', {});
            for (const shown of loaded.workspace.tabs) {
              model.tabs.set(shown.layout.focusedBlockId, shown);
              model.blockIds.push(shown.layout.focusedBlockId);
            }
            for (const block of loaded.blocks) {
              if (block.sessionId) model.addSession(block.sessionId);
            }
            await checkInvariants(model, { kind: 'check' });
            for (const [number, next] of steps.entries()) {
              model.log.push(`${number}: ${describeStep(next)}`);
              try {
                await run(model, next);
                await checkInvariants(model, next);
              } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                throw new Error(`${message}\nafter steps:\n${model.log.join('\n')}`, {
                  cause: error,
                });
              }
            }
            // After any sequence, a checker run has nothing to repair.
            expect(await rig.checker.run()).toEqual({});
            surviving = [...rig.manager.sessions.values()]
              .filter((live) => live.row.backend === 'tmux' && live.row.status === 'running')
              .map((live) => ({ pid: live.shell!.pid, id: live.row.id }));
          } finally {
            await rig.dispose();
            rig = undefined;
          }
          // Quitting ends no tmux session: those still running run on, until their server goes.
          for (const { pid, id } of surviving) {
            expect(await processEnds(pid, 300), `tmux shell of ${id} runs on`).toBe(false);
          }
          if (local === 'tmux') await tmux(['kill-server']).catch(() => undefined);
          // Deleted, reaped, ended with the app or with its server: no shell outlives that.
          for (const pid of model.pids) {
            expect(await processEnds(pid), `shell ${pid} ended`).toBe(true);
          }
        }),
        // Real shells make each run cost a second or two; no shrinking by default, the log says all.
        { numRuns: local === 'pty' ? 20 : 12, endOnFailure: !process.env.TETHER_SHRINK },
      );
    }, 300_000);
  }
});
