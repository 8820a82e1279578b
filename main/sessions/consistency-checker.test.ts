/**
 * The consistency checker and reaper with real parts (a SQLite file changed
 * behind the manager's back with raw SQL, real bash, the mirror worker): each
 * kind of repair, idle reaping on a controlled clock, and the counts it keeps
 * and reports over the API.
 *
 * "drops output from the shell it gave up on" guards a fixed bug: a session
 * marked done by a backendGone repair kept its shell and listeners, so output
 * the old shell still printed reached the done session's zone (DESIGN.md §3:
 * output arriving for a done session is dropped).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { getBlock } from '../../db/repositories/blocks';
import { getSession } from '../../db/repositories/sessions';
import type { BlockInfo, CheckerReport, SessionInfo } from '../../preload/contract';
import type { TestClient } from '../testing/core-harness';
import { expectConsistent } from '../testing/session-invariants';
import { SessionRig, type RigOptions } from '../testing/session-rig';
import { isAlive, processEnds, withRawDatabase } from '../testing/workspace-fixtures';
import { PTY_ENDED_WITH_APP as RESTART_REASON } from '../backends/pty-backend';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let rig: SessionRig | undefined;
const strays: number[] = [];
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
  for (const pid of strays.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** A rig whose first block shows a running session, followed by one client. */
async function setUp(options: RigOptions = {}): Promise<{
  r: SessionRig;
  client: TestClient;
  blockId: string;
  shown: string;
}> {
  const r = (rig = await SessionRig.start(options));
  const client = r.client();
  const { workspace } = await client.request('loadWorkspace', {});
  const blockId = workspace.tabs[0]!.layout.focusedBlockId;
  const reply = await client.request('attachBlock', { blockId, cols: 80, rows: 24 });
  return { r, client, blockId, shown: reply.zone };
}

function raw(r: SessionRig, sql: string, ...values: unknown[]): void {
  withRawDatabase(r.dataDir, (db) => db.prepare(sql).run(...values));
}

function pidOf(r: SessionRig, sessionId: string): number {
  return r.manager.sessions.get(sessionId)!.shell!.pid;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Kill a session's shell and wait until the manager has marked it done. */
async function endShell(r: SessionRig, sessionId: string): Promise<void> {
  process.kill(pidOf(r, sessionId), 'SIGKILL');
  await until(() => r.manager.sessions.get(sessionId)?.row.status === 'done', 'the shell to end');
}

function eventsNamed<T>(client: TestClient, name: string): T[] {
  return client.events.filter((event) => event.name === name).map((event) => event.payload as T);
}

describe('memory against the database', () => {
  it('stops and drops a session whose row was deleted behind its back', async () => {
    const { r, client } = await setUp();
    const session = await client.request('createSession', { connection: 'local' });
    const pid = pidOf(r, session.id);
    raw(r, 'DELETE FROM sessions WHERE id = ?', session.id);

    expect(await r.checker.run()).toEqual({ memoryWithoutRow: 1 });
    expect(r.manager.sessions.has(session.id)).toBe(false);
    expect(await processEnds(pid)).toBe(true);
    expect(eventsNamed<{ sessionId: string }>(client, 'sessionRemoved')).toEqual([
      { sessionId: session.id },
    ]);
    expect(await client.call('sessionInfo', { sessionId: session.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await expectConsistent(r);
  });

  it('detaches the blocks of a dropped session in the same run', async () => {
    const { r, blockId, shown } = await setUp();
    raw(r, 'DELETE FROM sessions WHERE id = ?', shown);
    expect(await r.checker.run()).toEqual({ memoryWithoutRow: 1, danglingBlock: 1 });
    expect((await getBlock(r.db, blockId))?.sessionId).toBeNull();
    await expectConsistent(r);
  });

  it('loads a row inserted behind its back, and shows it done: no shell of ours runs it', async () => {
    const { r, client } = await setUp();
    const id = randomUUID();
    const now = Date.now();
    raw(
      r,
      `INSERT INTO sessions (id, name, connection, backend, status, backend_ref, cols, rows,
         created_at, last_active_at, idle_deadline)
       VALUES (?, 'adopted', 'local', 'pty', 'running', '{"pid":1,"startedAt":0}', 80, 24, ?, ?, NULL)`,
      id,
      now,
      now,
    );

    expect(await r.checker.run()).toEqual({ rowWithoutMemory: 1 });
    const info = await client.request('sessionInfo', { sessionId: id });
    expect(info).toMatchObject({ name: 'adopted', status: 'done', doneReason: RESTART_REASON });
    expect(await getSession(r.db, id)).toMatchObject({
      status: 'done',
      doneReason: RESTART_REASON,
    });
    expect((await client.request('listSessions', {})).map((session) => session.id)).toContain(id);
    // Nobody shows it: it goes the way of done sessions, after five minutes.
    expect(r.manager.sessions.get(id)!.row.idleDeadline).toBeGreaterThan(now);
    await expectConsistent(r);
    expect(await r.checker.run()).toEqual({});
  });
});

describe('names', () => {
  it('repairs names stored before the name rule, and counts each', async () => {
    const { r, client } = await setUp();
    const now = Date.now();
    const insert = (id: string, name: string) =>
      raw(
        r,
        `INSERT INTO sessions (id, name, connection, backend, status, backend_ref, cols, rows,
           created_at, last_active_at, idle_deadline)
         VALUES (?, ?, 'local', 'pty', 'done', NULL, 80, 24, ?, ?, NULL)`,
        id,
        name,
        now,
        now,
      );
    const [spoof, invisible, twin, plain] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    insert(spoof, 'invoice\u202egnp.exe');
    insert(invisible, '\u200b\u2060');
    insert(plain, 'logs');
    // Repaired, it would be "logs", which another session has: left unnamed instead.
    insert(twin, 'lo\u200bgs');

    expect(await r.checker.run()).toMatchObject({ rowWithoutMemory: 4, badName: 3 });
    const nameOf = async (sessionId: string) =>
      (await client.request('sessionInfo', { sessionId })).name;
    expect(await nameOf(spoof)).toBe('invoicegnp.exe');
    expect(await nameOf(invisible)).toBeNull();
    expect(await nameOf(twin)).toBeNull();
    expect(await nameOf(plain)).toBe('logs');
    expect((await getSession(r.db, spoof))?.name).toBe('invoicegnp.exe');
    expect(r.checker.report().repairs).toMatchObject({ badName: 3 });
    await expectConsistent(r);
    expect(await r.checker.run()).toEqual({});
  });
});

describe('blocks against sessions', () => {
  it('detaches a block pointing at a session that does not exist', async () => {
    const { r, client, blockId } = await setUp();
    await client.request('detachBlock', { blockId });
    const missing = randomUUID();
    raw(r, 'UPDATE blocks SET session_id = ? WHERE id = ?', missing, blockId);

    expect(await r.checker.run()).toEqual({ danglingBlock: 1 });
    expect((await getBlock(r.db, blockId))?.sessionId).toBeNull();
    expect(eventsNamed<{ block: BlockInfo }>(client, 'blockChanged').at(-1)?.block).toMatchObject({
      id: blockId,
      sessionId: null,
    });
    await expectConsistent(r);
  });

  it('detaches a block pointing at a session on another connection', async () => {
    const { r, client, blockId } = await setUp();
    await client.request('detachBlock', { blockId });
    const remote = await r.manager.create('elsewhere', null);
    raw(r, 'UPDATE blocks SET session_id = ? WHERE id = ?', remote.id, blockId);

    expect(await r.checker.run()).toEqual({ crossConnectionBlock: 1 });
    expect((await getBlock(r.db, blockId))?.sessionId).toBeNull();
    expect(r.manager.sessions.get(remote.id)!.attached.size).toBe(0);
    expect(r.manager.sessions.get(remote.id)!.row.status).toBe('running');
    await expectConsistent(r);
  });

  it('detaches a cross-connection block found at start-up', async () => {
    const { r, blockId } = await setUp();
    const remote = await r.manager.create('elsewhere', null);
    raw(r, 'UPDATE blocks SET session_id = ? WHERE id = ?', remote.id, blockId);
    // The start-up run repairs it before anyone can use it.
    await r.restart();
    expect(r.checker.report().repairs).toMatchObject({ crossConnectionBlock: 1 });
    expect((await getBlock(r.db, blockId))?.sessionId).toBeNull();
    await expectConsistent(r);
  });

  it('makes each attached set equal the blocks pointing at the session', async () => {
    const { r, client, blockId, shown } = await setUp();
    const other = await client.request('createSession', { connection: 'local' });
    // Behind the manager's back, the block moves to the other session.
    raw(r, 'UPDATE blocks SET session_id = ? WHERE id = ?', other.id, blockId);

    // Both sets drift; the session left unshown also gets the deadline it lacked.
    expect(await r.checker.run()).toEqual({ attachedDrift: 2, deadlineSet: 1 });
    expect([...r.manager.sessions.get(shown)!.attached]).toEqual([]);
    expect([...r.manager.sessions.get(other.id)!.attached]).toEqual([blockId]);
    expect(r.manager.sessions.get(other.id)!.row.idleDeadline).toBeNull();
    const changed = eventsNamed<{ session: SessionInfo }>(client, 'sessionChanged');
    expect(changed.at(-1)?.session).toMatchObject({ id: other.id, attachedBlocks: [blockId] });
    await expectConsistent(r);
  });

  it('corrects an attached set that drifted in memory only', async () => {
    const { r, blockId, shown } = await setUp();
    const live = r.manager.sessions.get(shown)!;
    live.attached.add(randomUUID());
    expect(await r.checker.run()).toEqual({ attachedDrift: 1 });
    expect([...live.attached]).toEqual([blockId]);
    await expectConsistent(r);
  });
});

describe('backends', () => {
  it('marks a running session done when its shell is gone without the manager noticing', async () => {
    let gone = -1;
    const { r, client } = await setUp({ isAlive: (pid) => pid !== gone });
    const session = await client.request('createSession', { connection: 'local' });
    gone = pidOf(r, session.id);
    // The real shell is alive; only the check says otherwise. Ours to clean up.
    strays.push(gone);

    expect(await r.checker.run()).toEqual({ backendGone: 1 });
    expect(r.manager.sessions.get(session.id)!.row).toMatchObject({
      status: 'done',
      doneReason: 'The shell is gone.',
    });
    expect((await getSession(r.db, session.id))?.status).toBe('done');
    expect(await client.request('sessionInfo', { sessionId: session.id })).toMatchObject({
      status: 'done',
    });
    await expectConsistent(r);
    // Done is final: the next run finds nothing, whatever the shell does later.
    expect(await r.checker.run()).toEqual({});
  });

  it('drops output from the shell it gave up on: a done session shows nothing new', async () => {
    let gone = -1;
    const { r, client } = await setUp({ isAlive: (pid) => pid !== gone });
    const session = await client.request('createSession', { connection: 'local' });
    const block = await client.request('createBlock', {
      connection: 'local',
      sessionId: session.id,
    });
    const { zone } = await client.request('attachBlock', { blockId: block.id, cols: 80, rows: 24 });
    await client.request('writeZone', {
      zone,
      blockId: block.id,
      data: 'sleep 0.5; echo late-$((2+2))\r',
    });
    await client.untilText(zone, /sleep 0\.5/);
    gone = pidOf(r, session.id);
    strays.push(gone);
    expect(await r.checker.run()).toEqual({ backendGone: 1 });
    const doneAt = client.bytes(zone);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(client.text(zone).slice(doneAt)).not.toMatch(/late-4/);
    expect(r.manager.sessions.get(session.id)!.row.status).toBe('done');
  });
});

describe('idle reaping on a controlled clock', () => {
  it('reaps an unshown anonymous session after an hour, a named one after 7 days', async () => {
    let clock = Date.now();
    const { r, client } = await setUp({ now: () => clock });
    const anonymous = await client.request('createSession', { connection: 'local' });
    const named = await client.request('createSession', { connection: 'local', name: 'keep' });
    const anonymousPid = pidOf(r, anonymous.id);
    const namedPid = pidOf(r, named.id);

    clock += HOUR - 1;
    expect(await r.checker.run()).toEqual({});
    clock += 2;
    expect(await r.checker.run()).toEqual({ idleReaped: 1 });
    expect(r.manager.sessions.has(anonymous.id)).toBe(false);
    expect(await getSession(r.db, anonymous.id)).toBeUndefined();
    expect(await processEnds(anonymousPid)).toBe(true);
    expect(isAlive(namedPid)).toBe(true);

    clock += 7 * DAY - HOUR - 2;
    expect(await r.checker.run()).toEqual({});
    clock += 2;
    expect(await r.checker.run()).toEqual({ idleReaped: 1 });
    expect(r.manager.sessions.has(named.id)).toBe(false);
    expect(await processEnds(namedPid)).toBe(true);
    expect(eventsNamed<{ sessionId: string }>(client, 'sessionRemoved')).toEqual([
      { sessionId: anonymous.id },
      { sessionId: named.id },
    ]);
    await expectConsistent(r);
  });

  it('reaps a done session nobody shows after five minutes', async () => {
    let clock = Date.now();
    const { r, client } = await setUp({ now: () => clock });
    const session = await client.request('createSession', { connection: 'local', name: 'ended' });
    await endShell(r, session.id);

    clock += 5 * MINUTE - 1;
    expect(await r.checker.run()).toEqual({});
    clock += 2;
    expect(await r.checker.run()).toEqual({ doneReaped: 1 });
    expect(r.manager.sessions.has(session.id)).toBe(false);
    expect(await getSession(r.db, session.id)).toBeUndefined();
    await expectConsistent(r);
  });

  it('counts time from when the last block left, and never reaps a shown session', async () => {
    let clock = Date.now();
    const { r, client, blockId, shown } = await setUp({ now: () => clock });
    // A second block shows a session that then ends: done, but shown.
    const ended = await client.request('createSession', { connection: 'local' });
    const second = await client.request('createBlock', {
      connection: 'local',
      sessionId: ended.id,
    });
    await endShell(r, ended.id);

    clock += 30 * DAY;
    expect(await r.checker.run()).toEqual({});
    expect(r.manager.sessions.get(shown)!.row.status).toBe('running');
    expect(r.manager.sessions.get(ended.id)!.row.status).toBe('done');

    // Once nobody shows them the clock starts: an hour for the running one, five minutes for the done one.
    await client.request('detachBlock', { blockId });
    await client.request('detachBlock', { blockId: second.id });
    clock += 5 * MINUTE + 1;
    expect(await r.checker.run()).toEqual({ doneReaped: 1 });
    clock += HOUR;
    expect(await r.checker.run()).toEqual({ idleReaped: 1 });
    expect(r.manager.sessions.size).toBe(0);
    await expectConsistent(r);
  });

  it('uses a configured idle policy', async () => {
    let clock = Date.now();
    const { r, client } = await setUp({ now: () => clock, idle: { anonymousMs: MINUTE } });
    await client.request('createSession', { connection: 'local' });
    clock += MINUTE + 1;
    expect(await r.checker.run()).toEqual({ idleReaped: 1 });
  });
});

describe('the report', () => {
  it('accumulates counts over runs, and checkerReport returns them', async () => {
    let clock = Date.now();
    const { r, client, blockId } = await setUp({ now: () => clock });
    const started = r.checker.report();
    expect(started).toMatchObject({ runs: 1, repairs: {} });

    await client.request('detachBlock', { blockId });
    raw(r, 'UPDATE blocks SET session_id = ? WHERE id = ?', randomUUID(), blockId);
    await r.checker.run();
    raw(r, 'UPDATE blocks SET session_id = ? WHERE id = ?', randomUUID(), blockId);
    clock += 2 * HOUR;
    await r.checker.run();

    const report = await client.request('checkerReport', {});
    expect(report).toEqual({
      runs: 3,
      lastRunAt: clock,
      lastDurationMs: expect.any(Number),
      repairs: { danglingBlock: 2, idleReaped: 1 },
    } satisfies CheckerReport);
    expect(report).toEqual(r.checker.report());
  });
});
