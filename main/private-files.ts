/**
 * Tether's data directory holds session names, topics (the first command
 * typed), SSH hosts and browser mode's address with its token: the user's
 * alone. The directory is made 0700 and the files in it 0600, whoever created
 * them (an existing `~/.config/Tether` at 0755, a `--data-dir` made by hand),
 * and files Tether creates are created private rather than tightened after.
 *
 * Not `umask`: the shells Tether starts would inherit it. Windows keeps its
 * own ACLs (a user's AppData is already theirs); nothing is changed there.
 */
import { chmodSync, closeSync, lstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const OTHERS = 0o077;

export type Tightened = { path: string; was: number; failed?: string };

/**
 * Takes group and other permissions off the data directory and everything directly in it
 * (symbolic links are left alone: their targets are not Tether's). Returns what it changed.
 */
export function makePrivate(dataDir: string): Tightened[] {
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
  tighten(dataDir);
  for (const name of readdirSync(dataDir)) tighten(join(dataDir, name));
  return tightened;
}

/** Creates an empty file only its owner can read, if there is none (SQLite's files follow it). */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}

/** One line for the log: what was open to others, and that it no longer is. */
export function describeTightened(tightened: readonly Tightened[]): string {
  const list = tightened
    .map(({ path, was, failed }) =>
      failed
        ? `${path} (${was.toString(8)}; could not change it: ${failed})`
        : `${path} (was ${was.toString(8)})`,
    )
    .join(', ');
  return `made Tether's data private to you (others could read it): ${list}`;
}
