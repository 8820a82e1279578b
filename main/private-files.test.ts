import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHarness } from './testing/core-harness';
import { ensurePrivateFile, makePrivate } from './private-files';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('private files', () => {
  it('takes others off the data directory and what is in it, and says what it changed', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-private-'));
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'tether.db'), '', { mode: 0o644 });
    writeFileSync(join(dataDir, 'already'), '', { mode: 0o600 });
    mkdirSync(join(dataDir, 'sub'));
    chmodSync(join(dataDir, 'sub'), 0o775);
    // A link's target is not Tether's: neither followed nor changed.
    const outside = join(mkdtempSync(join(tmpdir(), 'tether-outside-')), 'theirs');
    writeFileSync(outside, '', { mode: 0o644 });
    symlinkSync(outside, join(dataDir, 'link'));

    const tightened = makePrivate(dataDir);
    expect(tightened.map(({ path, was }) => `${path} ${was.toString(8)}`).sort()).toEqual([
      `${dataDir} 755`,
      `${join(dataDir, 'sub')} 775`,
      `${join(dataDir, 'tether.db')} 644`,
    ]);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'tether.db'))).toBe(0o600);
    expect(modeOf(join(dataDir, 'sub'))).toBe(0o700);
    expect(modeOf(outside)).toBe(0o644);
    // Nothing left to do the second time: nothing to say.
    expect(makePrivate(dataDir)).toEqual([]);
  });

  it('creates files private, and keeps an existing one as it is', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-private-'));
    const file = join(dataDir, 'new');
    ensurePrivateFile(file);
    expect(modeOf(file)).toBe(0o600);
    writeFileSync(file, 'kept');
    ensurePrivateFile(file);
    expect(statSync(file).size).toBe(4);
  });

  it('leaves a started core’s directory and files private to the user, even in a directory made open', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-private-core-'));
    chmodSync(dataDir, 0o755);
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (line: string) => warnings.push(line), error() {} };
    const harness = await startHarness({ dataDir, log });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      for (const name of [
        'tether.db',
        'tether.db-wal',
        'tether.db-shm',
        'tether.lock',
        'tether.lock.json',
      ]) {
        expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
      }
      expect(warnings.filter((line) => /made Tether's data private/.test(line))).toHaveLength(1);
      await harness.restart();
      // Already private: the next start has nothing to say.
      expect(warnings.filter((line) => /made Tether's data private/.test(line))).toHaveLength(1);
    } finally {
      await harness.dispose();
    }
  });
});
