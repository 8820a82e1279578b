/**
 * Where Tether keeps its data: TETHER_DATA_DIR if set, else the platform's
 * per-user application directory (the same place Electron's userData is, so
 * the desktop app and browser mode share one database).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.TETHER_DATA_DIR) return env.TETHER_DATA_DIR;
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tether');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Tether');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Tether');
}

/** The platform's own directory for Tether (not one given by TETHER_DATA_DIR or --data-dir). */
export function isDefaultDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const platformDefault = defaultDataDir({ ...env, TETHER_DATA_DIR: undefined });
  return resolve(dataDir) === resolve(platformDefault);
}
