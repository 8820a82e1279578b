#!/usr/bin/env node
// `npm start`: the desktop app. Gets Electron's binary if npm did not (the
// project denies electron's install script so installs work offline), builds
// native modules for Electron's ABI, builds the app if stale, and runs it.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildIfStale } from './lib/build.mjs';
import { electronBinary, root } from './lib/paths.mjs';
import { ensureNative } from './native.mjs';

function fetchElectron() {
  console.error('tether: downloading the Electron binary…');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron', 'install.js')],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
      timeout: 5 * 60_000,
    },
  );
  // The first line that is not a stack frame says what went wrong ("fetch failed", …).
  const lines = (result.stderr || result.error?.message || '').split('\n').map((l) => l.trim());
  const reason = lines.find((line) => line && !line.startsWith('at '));
  return {
    binary: electronBinary(),
    reason: `the download failed: ${reason || `exit code ${result.status}`}`,
  };
}

let binary = electronBinary();
let reason = '';
if (!binary && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) ({ binary, reason } = fetchElectron());
if (!binary) {
  console.error(`
Tether's desktop app needs Electron's binary, and it is not installed on this
machine (${reason || 'ELECTRON_SKIP_BINARY_DOWNLOAD is set'}). Everything Tether does also runs in
your browser: run \`npm run serve\` and open the URL it prints (it listens on
127.0.0.1 only and needs the token in that URL). To get the desktop app, let
this machine reach Electron's download host and run \`npm start\` again.
`);
  process.exit(1);
}

ensureNative('electron');
buildIfStale();
const app = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
