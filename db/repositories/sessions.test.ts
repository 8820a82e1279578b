import { describe, expect, it } from 'vitest';
import type { NewSession } from '../schema';
import { useTempDatabase } from '../testing/temp-database';
import { insertBlock, setBlockSession } from './blocks';
import {
  countSessions,
  deleteSession,
  DuplicateNameError,
  getSession,
  insertSession,
  listSessions,
  updateSession,
} from './sessions';

const database = useTempDatabase();

function session(id: string, overrides: Partial<NewSession> = {}): NewSession {
  return {
    id,
    connection: 'local',
    backend: 'pty',
    status: 'init',
    cols: 80,
    rows: 24,
    createdAt: 1,
    lastActiveAt: 1,
    ...overrides,
  };
}

describe('insertSession', () => {
  it('returns the stored row, with null for every optional column left out', async () => {
    const row = await insertSession(database(), session('a', { createdAt: 10, lastActiveAt: 20 }));
    expect(row).toEqual({
      id: 'a',
      name: null,
      connection: 'local',
      backend: 'pty',
      status: 'init',
      backendRef: null,
      doneReason: null,
      exitCode: null,
      exitSignal: null,
      topic: null,
      cols: 80,
      rows: 24,
      createdAt: 10,
      lastActiveAt: 20,
      lastOutputAt: null,
      idleDeadline: null,
    });
    expect(await getSession(database(), 'a')).toEqual(row);
  });

  it('keeps every column it is given', async () => {
    const full = session('b', {
      name: 'build',
      connection: 'ssh:devbox',
      backend: 'tmux',
      status: 'done',
      backendRef: JSON.stringify({ pid: 123, startedAt: 456 }),
      doneReason: 'exited',
      exitCode: 1,
      exitSignal: 9,
      topic: 'make',
      cols: 120,
      rows: 40,
      lastOutputAt: 7,
      idleDeadline: 8,
    });
    expect(await insertSession(database(), full)).toEqual(full);
  });

  it('rejects a name already used on the same connection', async () => {
    await insertSession(database(), session('first', { name: 'build' }));
    const failure = await insertSession(database(), session('second', { name: 'build' })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DuplicateNameError);
    expect(failure).toMatchObject({ sessionName: 'build', connection: 'local' });
    expect((failure as Error).message).toBe('A session named "build" already exists on local');
    expect(await getSession(database(), 'second')).toBeUndefined();
  });

  it('allows the same name on another connection, and any number of unnamed sessions', async () => {
    await insertSession(database(), session('a', { name: 'build' }));
    await insertSession(database(), session('b', { name: 'build', connection: 'ssh:devbox' }));
    await insertSession(database(), session('c'));
    await insertSession(database(), session('d'));
    expect(await countSessions(database())).toBe(4);
  });

  it('passes other errors through untouched', async () => {
    await insertSession(database(), session('same'));
    const failure = await insertSession(database(), session('same', { name: 'other' })).catch(
      (error: unknown) => error,
    );
    expect(failure).not.toBeInstanceOf(DuplicateNameError);
    expect(failure).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  });
});

describe('getSession', () => {
  it('returns undefined for an unknown id', async () => {
    expect(await getSession(database(), 'missing')).toBeUndefined();
  });
});

describe('listSessions', () => {
  it('is empty for a fresh database', async () => {
    expect(await listSessions(database())).toEqual([]);
  });

  it('lists the most recently active first, then the newest, then by id', async () => {
    await insertSession(database(), session('old', { createdAt: 1, lastActiveAt: 10 }));
    await insertSession(database(), session('recent', { createdAt: 1, lastActiveAt: 30 }));
    await insertSession(database(), session('tie-older', { createdAt: 1, lastActiveAt: 20 }));
    await insertSession(database(), session('tie-newer', { createdAt: 5, lastActiveAt: 20 }));
    await insertSession(database(), session('tie-b', { createdAt: 1, lastActiveAt: 5 }));
    await insertSession(database(), session('tie-a', { createdAt: 1, lastActiveAt: 5 }));

    const ids = (await listSessions(database())).map((row) => row.id);
    expect(ids).toEqual(['recent', 'tie-newer', 'tie-older', 'old', 'tie-a', 'tie-b']);
  });

  it('filters by connection', async () => {
    await insertSession(database(), session('here'));
    await insertSession(database(), session('there', { connection: 'ssh:devbox' }));

    const remote = await listSessions(database(), { connection: 'ssh:devbox' });
    expect(remote.map((row) => row.id)).toEqual(['there']);
    expect(await listSessions(database(), { connection: 'ssh:nowhere' })).toEqual([]);
  });
});

describe('countSessions', () => {
  it('counts all sessions, or those on one connection', async () => {
    expect(await countSessions(database())).toBe(0);
    await insertSession(database(), session('a'));
    await insertSession(database(), session('b'));
    await insertSession(database(), session('c', { connection: 'ssh:devbox' }));
    expect(await countSessions(database())).toBe(3);
    expect(await countSessions(database(), { connection: 'local' })).toBe(2);
    expect(await countSessions(database(), { connection: 'ssh:nowhere' })).toBe(0);
  });
});

describe('updateSession', () => {
  it('changes only the columns in the patch', async () => {
    await insertSession(database(), session('a', { name: 'build', topic: 'make' }));
    expect(
      await updateSession(database(), 'a', { status: 'running', backendRef: '{"pid":1}' }),
    ).toBe(true);
    expect(await getSession(database(), 'a')).toMatchObject({
      name: 'build',
      topic: 'make',
      status: 'running',
      backendRef: '{"pid":1}',
    });
  });

  it('clears a column set to null', async () => {
    await insertSession(database(), session('a', { name: 'build', idleDeadline: 99 }));
    await updateSession(database(), 'a', { name: null, idleDeadline: null });
    expect(await getSession(database(), 'a')).toMatchObject({ name: null, idleDeadline: null });
  });

  it('reports false for an unknown id and writes nothing', async () => {
    expect(await updateSession(database(), 'missing', { status: 'done' })).toBe(false);
    expect(await countSessions(database())).toBe(0);
  });

  it('counts a row that already held the values', async () => {
    await insertSession(database(), session('a', { status: 'running' }));
    expect(await updateSession(database(), 'a', { status: 'running' })).toBe(true);
  });

  it('treats an empty patch as a check that the session exists', async () => {
    await insertSession(database(), session('a'));
    expect(await updateSession(database(), 'a', {})).toBe(true);
    expect(await updateSession(database(), 'a', { name: undefined })).toBe(true);
    expect(await updateSession(database(), 'missing', {})).toBe(false);
  });

  it('rejects renaming to a name taken on the same connection', async () => {
    await insertSession(database(), session('a', { name: 'build' }));
    await insertSession(database(), session('b', { name: 'test' }));
    await insertSession(database(), session('c', { name: 'build', connection: 'ssh:devbox' }));

    const failure = await updateSession(database(), 'b', { name: 'build' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DuplicateNameError);
    expect(failure).toMatchObject({ sessionName: 'build' });
    expect((await getSession(database(), 'b'))?.name).toBe('test');

    // Moving a named session onto a connection where its name is taken fails the same way.
    await expect(updateSession(database(), 'c', { connection: 'local' })).rejects.toBeInstanceOf(
      DuplicateNameError,
    );
  });

  it('lets a session keep its own name', async () => {
    await insertSession(database(), session('a', { name: 'build' }));
    expect(await updateSession(database(), 'a', { name: 'build', lastActiveAt: 5 })).toBe(true);
  });
});

describe('deleteSession', () => {
  it('removes the session and reports whether it existed', async () => {
    await insertSession(database(), session('gone'));
    await insertSession(database(), session('stays'));

    expect(await deleteSession(database(), 'gone')).toBe(true);
    expect(await deleteSession(database(), 'gone')).toBe(false);
    expect((await listSessions(database())).map((row) => row.id)).toEqual(['stays']);
  });

  it('frees the name for reuse', async () => {
    await insertSession(database(), session('a', { name: 'build' }));
    await deleteSession(database(), 'a');
    expect((await insertSession(database(), session('b', { name: 'build' }))).name).toBe('build');
  });

  it('leaves blocks pointing at it for the caller to detach', async () => {
    await insertSession(database(), session('s'));
    await insertBlock(database(), { id: 'block', createdAt: 1, updatedAt: 1 });
    await setBlockSession(database(), 'block', 's');

    await deleteSession(database(), 's');
    const blocks = await database().selectFrom('blocks').select('sessionId').execute();
    expect(blocks).toEqual([{ sessionId: 's' }]);
  });
});

describe('inside a transaction', () => {
  it('rolls back every call when the transaction fails', async () => {
    await insertSession(database(), session('kept', { status: 'running' }));
    await expect(
      database()
        .transaction()
        .execute(async (transaction) => {
          await insertSession(transaction, session('discarded'));
          await updateSession(transaction, 'kept', { status: 'done' });
          throw new Error('abort');
        }),
    ).rejects.toThrow('abort');

    expect((await listSessions(database())).map((row) => [row.id, row.status])).toEqual([
      ['kept', 'running'],
    ]);
  });

  it('keeps the transaction usable after a duplicate name', async () => {
    await insertSession(database(), session('a', { name: 'build' }));
    await database()
      .transaction()
      .execute(async (transaction) => {
        await expect(
          insertSession(transaction, session('b', { name: 'build' })),
        ).rejects.toBeInstanceOf(DuplicateNameError);
        await insertSession(transaction, session('b', { name: 'build-2' }));
      });
    expect(await countSessions(database())).toBe(2);
  });
});
