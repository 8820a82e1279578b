/**
 * Host key checks of connectSsh against a real sshd and OpenSSH's ssh-keygen
 * reading the known_hosts file we write.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups } from '../testing/ssh/cleanups';
import { runCommand } from '../testing/ssh/run-command';
import { fingerprintOf } from '../testing/ssh/ssh-keys';
import { startTestSshd } from '../testing/ssh/test-sshd';
import { connectSsh } from './ssh-connect';
import { hostKeyAlgorithms } from './ssh-connect-hostkey';
import {
  rejectionOf,
  resolveTestHost,
  runOver,
  testDeps,
  testPrompts,
} from './ssh-connect-testing';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('connectSsh: host keys', () => {
  it('an unknown host: the prompt shows the SHA256 fingerprint; save writes a line ssh-keygen finds', async () => {
    const sshd = cleanups.add(await startTestSshd({ knownHosts: 'empty' }));
    const target = { ...(await resolveTestHost(sshd)), strictHostKeyChecking: 'ask' as const };
    const { prompts, asked } = testPrompts({ hostKey: async () => 'save' });
    const link = await connectSsh(target, await testDeps(sshd, { prompts }));
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    await link.close();
    expect(asked).toEqual([
      {
        name: 'hostKey',
        args: [
          {
            host: '127.0.0.1',
            port: sshd.port,
            fingerprint: sshd.hostFingerprint,
            keyType: 'ssh-ed25519',
            kind: 'unknown',
          },
        ],
      },
    ]);
    const found = await runCommand('ssh-keygen', [
      '-F',
      `[127.0.0.1]:${sshd.port}`,
      '-f',
      sshd.knownHostsPath,
    ]);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain(sshd.hostPublicKey);

    // Known now: no question the second time.
    const again = await connectSsh(target, await testDeps(sshd));
    await again.close();
  });

  it('reads every UserKnownHostsFile and GlobalKnownHostsFile; saves to the first user file', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const first = join(sshd.dir, 'known_hosts_first');
    writeFileSync(first, '');
    // Trusted only in the second user file, as ~/.ssh/known_hosts2 would be.
    const trusted = {
      ...(await resolveTestHost(sshd)),
      userKnownHostsFiles: [first, sshd.knownHostsPath],
      globalKnownHostsFiles: [join(sshd.dir, 'missing'), sshd.dir],
      strictHostKeyChecking: 'yes' as const,
    };
    const link = await connectSsh(trusted, await testDeps(sshd, { knownHosts: undefined }));
    await link.close();

    writeFileSync(sshd.knownHostsPath, '');
    const { prompts, asked } = testPrompts({ hostKey: async () => 'save' });
    const unknown = { ...trusted, strictHostKeyChecking: 'ask' as const };
    const saved = await connectSsh(
      unknown,
      await testDeps(sshd, { knownHosts: undefined, prompts }),
    );
    await saved.close();
    expect(asked.map((question) => question.name)).toEqual(['hostKey']);
    expect(readFileSync(first, 'utf8')).toContain(sshd.hostPublicKey);
    expect(readFileSync(sshd.knownHostsPath, 'utf8')).toBe('');
  });

  it("'once' connects without saving; 'reject' is host_key_rejected", async () => {
    const sshd = cleanups.add(await startTestSshd({ knownHosts: 'empty' }));
    const target = { ...(await resolveTestHost(sshd)), strictHostKeyChecking: 'ask' as const };
    const once = testPrompts({ hostKey: async () => 'once' });
    const link = await connectSsh(target, await testDeps(sshd, { prompts: once.prompts }));
    await link.close();
    expect(readFileSync(sshd.knownHostsPath, 'utf8')).toBe('');

    const reject = testPrompts({ hostKey: async () => 'reject' });
    const error = await rejectionOf(
      connectSsh(target, await testDeps(sshd, { prompts: reject.prompts })),
    );
    expect(error).toMatchObject({ kind: 'host_key_rejected' });
    expect(error.message).toContain(sshd.hostFingerprint);
    expect(readFileSync(sshd.knownHostsPath, 'utf8')).toBe('');
  });

  it('StrictHostKeyChecking yes refuses an unknown key without asking; accept-new saves it', async () => {
    const sshd = cleanups.add(await startTestSshd({ knownHosts: 'empty' }));
    const base = await resolveTestHost(sshd);
    expect(base.strictHostKeyChecking).toBe('yes');
    const error = await rejectionOf(connectSsh(base, await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'host_key_rejected' });
    expect(error.message).toContain('StrictHostKeyChecking is yes');

    const link = await connectSsh(
      { ...base, strictHostKeyChecking: 'accept-new' },
      await testDeps(sshd),
    );
    await link.close();
    expect(readFileSync(sshd.knownHostsPath, 'utf8')).toContain(sshd.hostPublicKey);
  });

  it('a changed key (wrongKey) is refused with both fingerprints and the fix', async () => {
    const sshd = cleanups.add(await startTestSshd({ knownHosts: 'wrongKey' }));
    const impostor = sshd.impostorHostKey;
    if (!impostor) throw new Error('no impostor key');
    const target = { ...(await resolveTestHost(sshd)), strictHostKeyChecking: 'ask' as const };
    const error = await rejectionOf(connectSsh(target, await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'host_key_changed' });
    expect(error.message).toContain(`127.0.0.1 port ${sshd.port}`);
    expect(error.message).toContain(sshd.hostFingerprint);
    expect(error.message).toContain(impostor.fingerprint);
    expect(error.message).toContain(`${sshd.knownHostsPath} line 1`);
    expect(error.message).toContain(`ssh-keygen -R "[127.0.0.1]:${sshd.port}"`);
  });

  it('a server with a new host key (restartWithNewHostKey) is host_key_changed', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const old = sshd.hostFingerprint;
    await sshd.restartWithNewHostKey();
    const error = await rejectionOf(connectSsh(await resolveTestHost(sshd), await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'host_key_changed' });
    expect(error.message).toContain(old);
    expect(error.message).toContain(sshd.hostFingerprint);
  });

  it('a key marked @revoked is host_key_revoked', async () => {
    const sshd = cleanups.add(await startTestSshd());
    appendFileSync(sshd.knownHostsPath, `@revoked ${sshd.knownHostsLine()}\n`);
    const error = await rejectionOf(connectSsh(await resolveTestHost(sshd), await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'host_key_revoked' });
    expect(error.message).toContain(sshd.hostFingerprint);
  });

  it('offers the known key types first', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const target = await resolveTestHost(sshd);
    const rsaLine = `[127.0.0.1]:${sshd.port} ssh-rsa ${Buffer.from(
      '\0\0\0\x07ssh-rsa\0\0\0\x01\x03\0\0\0\x01\x01',
      'latin1',
    ).toString('base64')}`;
    expect(hostKeyAlgorithms(`${rsaLine}\n`, target)?.slice(0, 4)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    expect(hostKeyAlgorithms('', target)).toBeNull();
    expect(await fingerprintOf(sshd.knownHostsPath)).toBe(sshd.hostFingerprint);
  });
});
