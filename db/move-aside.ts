// Renames an unusable database file and its SQLite siblings out of the way, never deleting or
// overwriting anything, so the user (or support) can still recover what was in it.
import fs from 'node:fs';

// A leftover journal or WAL would be replayed into whatever database takes the original path,
// so they must travel with the main file.
const siblingSuffixes = ['-wal', '-shm', '-journal'];

// Moves `file` and its siblings to `<file>.corrupt-<timestamp>` (one suffix for all of them) and
// returns the new path of the main file.
export function moveAside(file: string): string {
  // ISO time with ':' and '.' replaced, because Windows forbids ':' in file names.
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const taken = (candidate: string) =>
    ['', ...siblingSuffixes].some((suffix) => fs.existsSync(candidate + suffix));
  let target = `${file}.corrupt-${stamp}`;
  for (let attempt = 2; taken(target); attempt++) target = `${file}.corrupt-${stamp}-${attempt}`;

  fs.renameSync(file, target);
  for (const suffix of siblingSuffixes) {
    try {
      fs.renameSync(file + suffix, target + suffix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return target;
}
