/** Test helpers: real keys and real answers from OpenSSH's ssh-keygen. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestKey {
  /** The wire-format blob, as ssh2 would hand it over. */
  blob: Buffer;
  /** `type base64`, the key part of a known_hosts line. */
  text: string;
  pubPath: string;
}

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tether-known-hosts-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function generateKey(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'rsa') {
  const path = join(dir, name);
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', name, '-f', path]);
  const [keyType = '', base64 = ''] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  const key: TestKey = {
    blob: Buffer.from(base64, 'base64'),
    text: `${keyType} ${base64}`,
    pubPath: `${path}.pub`,
  };
  return key;
}

/** The second field of `ssh-keygen -l -f file` for each key it lists. */
export function keygenFingerprints(file: string): string[] {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '');
}

/** Line numbers `ssh-keygen -F name -f file` reports (every marker included). */
export function keygenFind(name: string, file: string): number[] {
  const result = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  const lines = [...result.stdout.matchAll(/^# Host .* found: line (\d+)/gm)];
  return lines.map((match) => Number(match[1]));
}

/** Hash every plain, wildcard-free name in place with `ssh-keygen -H`. */
export function keygenHash(file: string): void {
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
}
