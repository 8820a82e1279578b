#!/usr/bin/env node
// Makes sure native modules are built for the runtime about to load them:
// `node` (tests, browser mode, benchmarks) or `electron` (npm start).
// better-sqlite3 is not N-API, so its binary is per-ABI; both builds are kept
// in node_modules/.tether-native/ so switching back and forth is a file copy.
// (node-pty is N-API and loads in both runtimes unchanged.)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { electronVersion, nodeGypEnv, root } from './lib/paths.mjs';

const MODULES = ['better-sqlite3'];
const state = join(root, 'node_modules', '.tether-native');
const stampFile = join(state, 'current.json');

function target(runtime) {
  if (runtime === 'node') return { runtime, version: process.versions.node };
  if (runtime === 'electron') return { runtime, version: electronVersion() };
  throw new Error(`usage: node scripts/native.mjs node|electron (got ${runtime})`);
}

const key = (t) => `${t.runtime}-${t.version}`;
const releaseDir = (module) => join(root, 'node_modules', module, 'build', 'Release');

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return null;
  }
}

function loadsInNode() {
  const probe = MODULES.map((m) => `require(${JSON.stringify(m)})`).join(';');
  const result = spawnSync(
    process.execPath,
    ['-e', `${probe}; new (require('better-sqlite3'))(':memory:')`],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  return result.status === 0;
}

function save(t) {
  for (const module of MODULES) {
    const cached = join(state, key(t), module);
    rmSync(cached, { recursive: true, force: true });
    mkdirSync(cached, { recursive: true });
    cpSync(releaseDir(module), cached, { recursive: true });
  }
  writeFileSync(stampFile, JSON.stringify(t));
}

function restore(t) {
  for (const module of MODULES) {
    if (!existsSync(join(state, key(t), module))) return false;
  }
  for (const module of MODULES) {
    rmSync(releaseDir(module), { recursive: true, force: true });
    cpSync(join(state, key(t), module), releaseDir(module), { recursive: true });
  }
  writeFileSync(stampFile, JSON.stringify(t));
  return true;
}

function rebuild(t) {
  console.error(`tether: building ${MODULES.join(', ')} for ${t.runtime} ${t.version}…`);
  let env = { ...process.env };
  if (t.runtime === 'electron') {
    // node-gyp/prebuild-install read these to target Electron's headers and ABI.
    env = {
      ...env,
      npm_config_runtime: 'electron',
      npm_config_target: t.version,
      npm_config_disturl: 'https://electronjs.org/headers',
      npm_config_nodedir: '',
    };
  } else {
    env = nodeGypEnv(env);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['rebuild', ...MODULES, '--foreground-scripts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    console.error(`tether: building native modules for ${t.runtime} failed (see above).`);
    process.exit(1);
  }
  save(t);
}

export function ensureNative(runtime) {
  mkdirSync(state, { recursive: true });
  const t = target(runtime);
  const stamp = readStamp();
  const current = stamp ? key(stamp) : null;
  if (t.runtime === 'node') {
    // No stamp yet means a fresh `npm install`, which built for Node.
    if ((current === null || current === key(t)) && loadsInNode()) {
      if (current === null) save(t);
      return;
    }
  } else if (current === key(t)) {
    return;
  }
  if (restore(t) && (t.runtime !== 'node' || loadsInNode())) return;
  rebuild(t);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureNative(process.argv[2] ?? 'node');
}
