// Reads and writes session rows. Each function takes the database (or a transaction) first, so the
// session manager can group a status change with the block changes it implies. Which status may
// follow which is main/sessions/lifecycle's business, not this module's.
import type { Kysely } from 'kysely';
import type { Database, NewSession, SessionRow, SessionUpdate } from '../schema';

// Another session on the same connection already has this name.
export class DuplicateNameError extends Error {
  constructor(
    // Undefined when an update changed the connection but not the name.
    readonly sessionName: string | undefined,
    readonly connection: string | undefined,
    options?: ErrorOptions,
  ) {
    const where = connection === undefined ? '' : ` on ${connection}`;
    const what = sessionName === undefined ? 'this name' : `"${sessionName}"`;
    super(`A session named ${what} already exists${where}`, options);
    this.name = 'DuplicateNameError';
  }
}

export async function insertSession(
  db: Kysely<Database>,
  session: NewSession,
): Promise<SessionRow> {
  try {
    return await db.insertInto('sessions').values(session).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    throw asDuplicateName(error, session.name ?? undefined, session.connection);
  }
}

export async function getSession(
  db: Kysely<Database>,
  id: string,
): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export type SessionFilter = { connection?: string };

// Most recently used first; id breaks ties so the order is stable.
export async function listSessions(
  db: Kysely<Database>,
  filter: SessionFilter = {},
): Promise<SessionRow[]> {
  let query = db.selectFrom('sessions').selectAll();
  if (filter.connection !== undefined) query = query.where('connection', '=', filter.connection);
  return query.orderBy('lastActiveAt', 'desc').orderBy('createdAt', 'desc').orderBy('id').execute();
}

export async function countSessions(
  db: Kysely<Database>,
  filter: SessionFilter = {},
): Promise<number> {
  let query = db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('count'));
  if (filter.connection !== undefined) query = query.where('connection', '=', filter.connection);
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}

// Returns whether the session exists. A patch that sets the values a row already has still counts,
// and so does an empty patch, so `false` always means "no such session".
export async function updateSession(
  db: Kysely<Database>,
  id: string,
  patch: Omit<SessionUpdate, 'id'>,
): Promise<boolean> {
  // Kysely skips undefined values; with none left it would write `SET` with nothing after it.
  if (Object.values(patch).every((value) => value === undefined)) {
    return (await getSession(db, id)) !== undefined;
  }
  try {
    const result = await db
      .updateTable('sessions')
      .set(patch)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  } catch (error) {
    throw asDuplicateName(error, patch.name ?? undefined, patch.connection);
  }
}

// Returns whether a session was there to delete. Blocks pointing at it are left to the caller
// (see detachBlocksFromSession), so both can share one transaction.
export async function deleteSession(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// SQLite names the index's columns, not the index, in its message.
const NAME_INDEX_MESSAGE = 'UNIQUE constraint failed: sessions.connection, sessions.name';

function asDuplicateName(
  error: unknown,
  sessionName: string | undefined,
  connection: string | undefined,
): unknown {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && current.message.includes(NAME_INDEX_MESSAGE)) {
      return new DuplicateNameError(sessionName, connection, { cause: error });
    }
  }
  return error;
}
