// Test helpers: a throwaway HOME with real files in it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSshConfig, resolveHost } from './ssh-config';

export type TempHome = {
  home: string;
  /** Writes a file relative to HOME, creating its directories. */
  write(path: string, text: string): string;
  load(): ReturnType<typeof loadSshConfig>;
  resolve(target: string): Promise<ReturnType<typeof resolveHost>>;
  cleanup(): void;
};

export function makeTempHome(localUser = 'me'): TempHome {
  const home = mkdtempSync(join(tmpdir(), 'tether-ssh-config-'));
  const temp: TempHome = {
    home,
    write(path, text) {
      const full = join(home, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
    load: () => loadSshConfig({ home }),
    resolve: async (target) => resolveHost(await temp.load(), target, { localUser, home }),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
  return temp;
}
