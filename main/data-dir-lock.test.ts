import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, HOLDER_FILE, lockDataDir } from './data-dir-lock';

const fresh = () => mkdtempSync(join(tmpdir(), 'tether-lock-'));

function refusal(dataDir: string, mode: 'browser' | 'electron' = 'electron'): DataDirInUseError {
  try {
    lockDataDir(dataDir, mode).release();
  } catch (error) {
    if (error instanceof DataDirInUseError) return error;
    throw error;
  }
  throw new Error('the second lock was granted');
}

describe('the data directory lock', () => {
  it('refuses a second holder, naming the first, until the first lets go', () => {
    const dataDir = fresh();
    const first = lockDataDir(dataDir, 'browser');
    first.describe({ url: 'http://127.0.0.1:4567/?token=abc-DEF_1' });
    const refused = refusal(dataDir);
    expect(refused.holder).toMatchObject({
      pid: process.pid,
      mode: 'browser',
      url: 'http://127.0.0.1:4567/?token=abc-DEF_1',
    });
    expect(refused.message).toContain(`Another Tether (browser mode at http://127.0.0.1:4567/`);
    expect(refused.message).toContain(`process ${process.pid}`);
    expect(refused.message).toContain(dataDir);
    // The advice fits how the refused one was started: the desktop app takes no flags.
    expect(refused.message).toContain('(TETHER_DATA_DIR)');
    expect(refusal(dataDir, 'browser').message).toContain('(--data-dir or TETHER_DATA_DIR)');
    // What it says about itself is the user's alone.
    expect(statSync(join(dataDir, HOLDER_FILE)).mode & 0o777).toBe(0o600);

    first.release();
    const second = lockDataDir(dataDir, 'electron');
    expect(refusal(dataDir).message).toContain('Another Tether (the desktop app');
    second.release();
  });

  it('is let go by the operating system when its holder is killed', async () => {
    const dataDir = fresh();
    const script = [
      `import { lockDataDir } from ${JSON.stringify(join(__dirname, 'data-dir-lock.ts'))};`,
      `lockDataDir(${JSON.stringify(dataDir)}, 'browser');`,
      `console.log('locked');`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      expect(line.toString()).toContain('locked');
      expect(refusal(dataDir).holder?.pid).toBe(child.pid);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // No pid file to clean up: the lock went with the process.
    lockDataDir(dataDir, 'electron').release();
  });

  it('keeps holding against other processes after a refused attempt in its own process', async () => {
    const dataDir = fresh();
    const first = lockDataDir(dataDir, 'browser');
    // On Unix, closing any handle to the lock file would drop this process's lock with it.
    refusal(dataDir);
    const script = [
      `import { lockDataDir } from ${JSON.stringify(join(__dirname, 'data-dir-lock.ts'))};`,
      `try { lockDataDir(${JSON.stringify(dataDir)}, 'browser'); console.log('granted'); }`,
      `catch (error) { console.log(error.name); }`,
    ].join('\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await once(child, 'exit');
    expect(out.trim()).toBe('DataDirInUseError');
    first.release();
  });

  it('treats a holder file that lies as unknown, not as a name to show', () => {
    const dataDir = fresh();
    const first = lockDataDir(dataDir, 'browser');
    first.describe({ url: 'http://evil.example/' });
    expect(refusal(dataDir).holder?.url).toBeUndefined();
    first.release();
  });
});
