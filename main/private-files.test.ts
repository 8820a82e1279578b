import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHarness } from './testing/core-harness';
import { describeTightened, ensurePrivateFile, makePrivate } from './private-files';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('private files', () => {
  it('makes its own directory and files private, and says what it changed', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-private-'));
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'tether.db'), '', { mode: 0o644 });
    writeFileSync(join(dataDir, 'tether.lock.json'), '', { mode: 0o600 });
    chmodSync(join(dataDir, 'tether.db'), 0o644);

    const tightened = makePrivate(dataDir);
    expect(tightened.map(({ path, was }) => `${path} ${was.toString(8)}`).sort()).toEqual([
      `${dataDir} 755`,
      `${join(dataDir, 'tether.db')} 644`,
    ]);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'tether.db'))).toBe(0o600);
    // Nothing left to do the second time: nothing to say.
    expect(makePrivate(dataDir)).toEqual([]);
  });

  it('leaves a directory given by hand that holds other things as it is, but not its own files', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-private-'));
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'tether.db'), '');
    chmodSync(join(dataDir, 'tether.db'), 0o644);
    writeFileSync(join(dataDir, 'notes.txt'), '');
    chmodSync(join(dataDir, 'notes.txt'), 0o644);
    mkdirSync(join(dataDir, 'public_html'));
    chmodSync(join(dataDir, 'public_html'), 0o775);
    // A link's target is not Tether's: neither followed nor changed.
    const outside = join(mkdtempSync(join(tmpdir(), 'tether-outside-')), 'theirs');
    writeFileSync(outside, '');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dataDir, 'tether.db-journal'));

    const tightened = makePrivate(dataDir);
    expect(modeOf(join(dataDir, 'tether.db'))).toBe(0o600);
    expect(modeOf(dataDir)).toBe(0o755);
    expect(modeOf(join(dataDir, 'notes.txt'))).toBe(0o644);
    expect(modeOf(join(dataDir, 'public_html'))).toBe(0o775);
    expect(modeOf(outside)).toBe(0o644);
    expect(tightened.find(({ path }) => path === dataDir)?.failed).toMatch(/not Tether’s/);
    expect(describeTightened(tightened)).toContain(`${dataDir} (755; not changed:`);

    // Tether's own directory (the platform's default) is made private whatever it holds.
    makePrivate(dataDir, true);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'notes.txt'))).toBe(0o644);
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
