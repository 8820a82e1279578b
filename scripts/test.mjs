#!/usr/bin/env node
// `npm test`: the whole suite, in the order CI runs it — native modules for
// Node, lint and format, types, unit and integration tests, the build, then
// end-to-end tests in Chromium. Every step runs even if an earlier one
// fails, and the last line counts the tests: "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/paths.mjs';
import { ensureNative } from './native.mjs';

const results = join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const bin = (name) => join(root, 'node_modules', '.bin', name);
const failedSteps = [];

function step(name, command, args, env = {}) {
  console.log(`\n── ${name} ──`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failedSteps.push(name);
    console.log(`── ${name}: FAILED (${seconds}s) ──`);
  } else {
    console.log(`── ${name}: ok (${seconds}s) ──`);
  }
}

ensureNative('node');
step('lint', bin('eslint'), ['.', '--max-warnings=0']);
step('format', bin('prettier'), ['--check', '.', '--log-level=warn']);
step('types (node)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
step('types (web)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']);
step('types (e2e, bench)', bin('tsc'), ['-p', 'tsconfig.e2e.json', '--noEmit']);
step('unit and integration (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${join(results, 'vitest.json')}`,
]);
step('build (electron-vite)', bin('electron-vite'), ['build']);
step('end-to-end (playwright, chromium)', bin('playwright'), ['test']);

const counts = { passed: 0, failed: 0, skipped: 0 };

function readJson(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const vitest = readJson(join(results, 'vitest.json'));
if (vitest) {
  counts.passed += vitest.numPassedTests ?? 0;
  counts.failed += vitest.numFailedTests ?? 0;
  counts.skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
}
const playwright = readJson(join(results, 'playwright.json'));
if (playwright?.stats) {
  counts.passed += (playwright.stats.expected ?? 0) + (playwright.stats.flaky ?? 0);
  counts.failed += playwright.stats.unexpected ?? 0;
  counts.skipped += playwright.stats.skipped ?? 0;
}

console.log('');
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(', ')}`);
if (!vitest) console.log('vitest wrote no results');
if (!playwright) console.log('playwright wrote no results');
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
const ok =
  failedSteps.length === 0 && vitest && playwright && counts.failed === 0 && counts.passed > 0;
process.exit(ok ? 0 : 1);
