/**
 * One Tether per data directory. Two hosts on one directory destroy each
 * other's state (the second marks the first's sessions done and its first
 * save deletes the first's blocks), and Electron's single-instance lock does
 * not cover browser mode. So the core takes this lock before it opens the
 * database, and a second host refuses to start, naming the first.
 *
 * The lock is SQLite's own exclusive lock on `tether.lock` (a POSIX advisory
 * lock on Unix, LockFileEx on Windows): the operating system drops it when the
 * process ends however it ends, so a crash leaves nothing to clean up, unlike a
 * pid file (decision 0013). Who holds it is written next to it in
 * `tether.lock.json`, read only to word the refusal.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { ensurePrivateFile } from './private-files';

export type LockHolder = {
  pid: number;
  mode: 'browser' | 'electron';
  /** ISO time the holder started. */
  since: string;
  /** Where browser mode serves the app, once known. */
  url?: string;
};

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
    /** How the refused one was started: the advice differs. */
    mode: LockHolder['mode'] = 'browser',
  ) {
    super(inUseMessage(dataDir, holder, mode));
    this.name = 'DataDirInUseError';
  }
}

export type DataDirLock = {
  /** Tell a second host more about this one (browser mode's address). */
  describe(more: Partial<Pick<LockHolder, 'url'>>): void;
  release(): void;
};

export const LOCK_FILE = 'tether.lock';
/**
 * Browser mode's address with its token, as Jupyter keeps its servers' in its runtime files:
 * the file is the user's alone (0600 in a 0700 directory), and a second start can then say
 * where the running one is.
 */
export const HOLDER_FILE = 'tether.lock.json';

export function lockDataDir(dataDir: string, mode: LockHolder['mode']): DataDirLock {
  const lockPath = join(dataDir, LOCK_FILE);
  ensurePrivateFile(lockPath);
  // No waiting: a held lock is an answer, not a delay.
  const sqlite = new SqliteDatabase(lockPath, { timeout: 0 });
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in this locking mode it is kept until close.
    sqlite.exec(
      'CREATE TABLE IF NOT EXISTS held (at TEXT); DELETE FROM held; INSERT INTO held VALUES (datetime())',
    );
  } catch (error) {
    sqlite.close();
    if (isBusy(error)) throw new DataDirInUseError(dataDir, readHolder(dataDir), mode);
    throw error;
  }
  let holder: LockHolder = { pid: process.pid, mode, since: new Date().toISOString() };
  const holderPath = join(dataDir, HOLDER_FILE);
  // Only words for a second start: a file that cannot be written (another user's, left by
  // sudo) is replaced, and if even that fails the lock holds all the same.
  const write = () => {
    try {
      writeFileSync(holderPath, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    } catch {
      try {
        rmSync(holderPath, { force: true });
        writeFileSync(holderPath, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
      } catch {
        // The refusal then names no holder.
      }
    }
  };
  write();
  let released = false;
  return {
    describe(more) {
      if (released) return;
      holder = { ...holder, ...more };
      write();
    },
    release() {
      if (released) return;
      released = true;
      sqlite.close();
      // The address and its token are for the running host only.
      try {
        rmSync(holderPath, { force: true });
      } catch {
        // Left behind, it names a holder that no longer holds: read only when one does.
      }
    },
  };
}

const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:\d+\/(\?token=[\w-]+)?$/;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** What the holder wrote about itself, if it is readable and looks right. */
function readHolder(dataDir: string): LockHolder | null {
  try {
    const value: unknown = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { pid, mode, since, url } = value as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || (mode !== 'browser' && mode !== 'electron')) return null;
    if (typeof since !== 'string') return null;
    return {
      pid: pid as number,
      mode,
      since,
      ...(typeof url === 'string' && LOOPBACK_URL.test(url) ? { url } : {}),
    };
  } catch {
    return null;
  }
}

function inUseMessage(
  dataDir: string,
  holder: LockHolder | null,
  mode: LockHolder['mode'],
): string {
  let who = 'Another Tether';
  if (holder) {
    const where =
      holder.mode === 'electron'
        ? 'the desktop app'
        : `browser mode${holder.url ? ` at ${holder.url}` : ''}`;
    const since = new Date(holder.since);
    const when = Number.isNaN(since.getTime()) ? '' : `, started ${since.toLocaleString()}`;
    who = `Another Tether (${where}, process ${holder.pid}${when})`;
  }
  return (
    `${who} is already using the data directory ${dataDir}. Two at once would overwrite ` +
    `each other's sessions and layout, so this one did not start. Use the one that is ` +
    `running, or start this one with its own directory (${mode === 'browser' ? '--data-dir or TETHER_DATA_DIR' : 'TETHER_DATA_DIR'}).`
  );
}
