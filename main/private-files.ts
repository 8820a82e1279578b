/**
 * Tether's data directory holds session names, topics (the first command
 * typed), SSH hosts and browser mode's address with its token: the user's
 * alone. Tether's own files in it are made 0600 and its own directory 0700,
 * whoever created them (an existing `~/.config/Tether` at 0755, a `--data-dir`
 * made by hand), and files Tether creates are created private rather than
 * tightened after. A directory given by hand that holds other things is only
 * reported (see makePrivate).
 *
 * Not `umask`: the shells Tether starts would inherit it. Windows keeps its
 * own ACLs (a user's AppData is already theirs); nothing is changed there.
 */
import { chmodSync, closeSync, lstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const OTHERS = 0o077;

export type Tightened = { path: string; was: number; failed?: string };

/** Files Tether keeps in its data directory (the database, its siblings and moved-aside copies). */
const OWN =
  /^(tether\.db(-wal|-shm|-journal)?|tether\.db\.corrupt-.*|tether\.lock(-journal|\.json)?|tmux\.conf)$/;

/**
 * Takes group and other permissions off Tether's own files in the data directory, and off
 * the directory itself when it is Tether's: the default one (`ownDirectory`), or one that
 * holds nothing else. A directory given by hand that holds other things (`--data-dir ~`)
 * is left as it is, and so is everything in it that is not Tether's; it is only reported.
 * Symbolic links are left alone (their targets are not Tether's). Returns what it found.
 */
export function makePrivate(dataDir: string, ownDirectory = false): Tightened[] {
  if (process.platform === 'win32') return [];
  const tightened: Tightened[] = [];
  const tighten = (path: string) => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink() || (stat.mode & OTHERS) === 0) return;
    try {
      chmodSync(path, stat.mode & 0o700);
      tightened.push({ path, was: stat.mode & 0o777 });
    } catch (error) {
      // Another user's file (left by `sudo`, say): said in the log, never a reason not to start.
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      tightened.push({ path, was: stat.mode & 0o777, failed: reason });
    }
  };
  const names = readdirSync(dataDir);
  if (ownDirectory || names.every((name) => OWN.test(name))) {
    tighten(dataDir);
  } else {
    const stat = lstatSync(dataDir);
    if ((stat.mode & OTHERS) !== 0) {
      tightened.push({
        path: dataDir,
        was: stat.mode & 0o777,
        failed: 'it holds files that are not Tether’s, so it was left as it is',
      });
    }
  }
  for (const name of names) if (OWN.test(name)) tighten(join(dataDir, name));
  return tightened;
}

/**
 * Creates an empty file only its owner can read, if there is none (SQLite's files follow it).
 * An existing file is never opened: on Unix, closing any handle to a file drops every lock
 * this process holds on it (the data directory's lock among them).
 */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** One line for the log: what was open to others, and that it no longer is. */
export function describeTightened(tightened: readonly Tightened[]): string {
  const list = tightened
    .map(({ path, was, failed }) =>
      failed
        ? `${path} (${was.toString(8)}; not changed: ${failed})`
        : `${path} (was ${was.toString(8)})`,
    )
    .join(', ');
  return `made Tether's data private to you (others could read it): ${list}`;
}
