// Paths and small helpers shared by the project's scripts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outDir = join(root, 'out');

/** Node's headers from the Debian package, for node-gyp on machines without internet. */
export function nodeGypEnv(env = process.env) {
  if (env.npm_config_nodedir || !existsSync('/usr/include/node/node.h')) return env;
  return { ...env, npm_config_nodedir: '/usr' };
}

/** The Electron binary installed by the electron package, or null. */
export function electronBinary() {
  const pkgDir = join(root, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export function electronVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'))
    .version;
}
