#!/usr/bin/env node
// `npm run serve`: browser mode. Builds if the sources changed, makes sure the
// native modules match this Node, then runs the host (flags pass through).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildIfStale } from './lib/build.mjs';
import { outDir } from './lib/paths.mjs';
import { ensureNative } from './native.mjs';

ensureNative('node');
buildIfStale();
const host = spawn(process.execPath, [join(outDir, 'main', 'serve.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => host.kill(signal));
host.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
