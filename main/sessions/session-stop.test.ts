/**
 * A stopped session's shell ends: deleted by the user, reaped, or with the
 * app. Real bash through node-pty, real SQLite file.
 *
 * The first test guards a fixed bug: a single SIGHUP does not always end bash
 * in its first milliseconds (about 1 in 50 here), so a session deleted right
 * after it was created left its shell running, orphaned, with its pty held
 * open by the app. It fails most runs when the kill does not escalate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SessionRig } from '../testing/session-rig';
import { isAlive, processEnds } from '../testing/workspace-fixtures';

let rig: SessionRig | undefined;
const started: number[] = [];
afterEach(async () => {
  await rig?.dispose();
  rig = undefined;
  // Whatever the outcome, leave no shell behind.
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('stopping a session ends its shell', () => {
  it('even when the session is deleted in the first milliseconds of its shell', async () => {
    const r = (rig = await SessionRig.start());
    const client = r.client();
    for (let attempt = 0; attempt < 100; attempt++) {
      const session = await client.request('createSession', { connection: 'local' });
      started.push(r.manager.sessions.get(session.id)!.shell!.pid);
      await client.request('deleteSession', { sessionId: session.id });
    }
    const survivors: number[] = [];
    for (const pid of started) if (!(await processEnds(pid, 3_000))) survivors.push(pid);
    expect(survivors).toEqual([]);
  });

  it('when a settled shell is deleted, and when the app stops', async () => {
    const r = (rig = await SessionRig.start());
    const client = r.client();
    const deleted = await client.request('createSession', { connection: 'local' });
    const kept = await client.request('createSession', { connection: 'local', name: 'kept' });
    const deletedPid = r.manager.sessions.get(deleted.id)!.shell!.pid;
    const keptPid = r.manager.sessions.get(kept.id)!.shell!.pid;
    started.push(deletedPid, keptPid);
    // Past bash's start-up: it has printed its prompt.
    await new Promise((resolve) => setTimeout(resolve, 300));

    await client.request('deleteSession', { sessionId: deleted.id });
    expect(await processEnds(deletedPid)).toBe(true);
    expect(isAlive(keptPid)).toBe(true);

    await r.restart();
    expect(await processEnds(keptPid)).toBe(true);
  });
});
