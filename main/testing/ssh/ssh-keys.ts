/**
 * Key files for the SSH tests, made by OpenSSH's own ssh-keygen: host keys for
 * the test sshd and client keys (plain or protected by a passphrase).
 */
import { readFileSync } from 'node:fs';
import { mustRun } from './run-command';

export type KeyPair = {
  /** The private key file; the public key is next to it with ".pub". */
  path: string;
  /** "ssh-ed25519 AAAA..." without the comment. */
  publicKey: string;
  /** "SHA256:..." as ssh-keygen -l prints it. */
  fingerprint: string;
  /** The passphrase the private key is encrypted with, if any. */
  passphrase?: string;
};

export async function generateKey(
  path: string,
  options: { comment: string; passphrase?: string },
): Promise<KeyPair> {
  await mustRun('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    options.passphrase ?? '',
    '-C',
    options.comment,
    '-f',
    path,
  ]);
  const [type, base64] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
  if (!type || !base64) throw new Error(`ssh-keygen wrote no public key to ${path}.pub`);
  return {
    path,
    publicKey: `${type} ${base64}`,
    fingerprint: await fingerprintOf(`${path}.pub`),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
  };
}

/** "SHA256:..." of a public key file (or a known_hosts line's key), from ssh-keygen -lf. */
export async function fingerprintOf(publicKeyPath: string): Promise<string> {
  const { stdout } = await mustRun('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath]);
  const fingerprint = stdout.trim().split(/\s+/)[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`no fingerprint in "${stdout}"`);
  return fingerprint;
}
