// Build the app (electron-vite) unless out/ is newer than every source file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { outDir, root } from './paths.mjs';

const SOURCES = ['electron', 'main', 'preload', 'renderer', 'db'];
const FILES = ['electron.vite.config.ts', 'package.json', 'package-lock.json'];
// Every build rewrites all of these; the oldest one dates the build.
const OUTPUTS = ['main/index.js', 'main/serve.js', 'preload/index.cjs', 'renderer/index.html'];

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

export function buildIfStale() {
  const paths = [...SOURCES, ...FILES].map((p) => join(root, p)).filter(existsSync);
  const sourceTime = Math.max(...paths.map(newest));
  const outputs = OUTPUTS.map((p) => join(outDir, p));
  if (outputs.every(existsSync)) {
    const builtAt = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
    if (builtAt >= sourceTime) return;
  }
  console.error('tether: building…');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      // stdout stays the app's own (serve prints exactly its URL there).
      stdio: ['ignore', 2, 2],
    },
  );
  if (result.status !== 0) {
    console.error('tether: the build failed (see above).');
    process.exit(1);
  }
}
