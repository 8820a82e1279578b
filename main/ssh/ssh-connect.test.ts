/**
 * connectSsh against a real OpenSSH sshd: logging in by alias, with an
 * encrypted key, through an agent and with a password, and the link's shell
 * and close. No mocks; names resolve through an injected resolver only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups } from '../testing/ssh/cleanups';
import { startSshAgent } from '../testing/ssh/ssh-agent';
import { startTestSshd, type TestSshd } from '../testing/ssh/test-sshd';
import { whyNoThrowawayUser } from '../testing/ssh/throwaway-user';
import { connectSsh } from './ssh-connect';
import {
  rejectionOf,
  resolveTestHost,
  runOver,
  testDeps,
  testPrompts,
  testResolver,
} from './ssh-connect-testing';
import { SshError } from './ssh-errors';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

function keysOf(sshd: TestSshd) {
  if (!sshd.clientKeys) throw new Error('the test sshd has no client keys');
  return sshd.clientKeys;
}

describe('connectSsh: logging in', () => {
  it('connects by alias with the plain key from the config and runs a command', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const target = await resolveTestHost(sshd);
    const resolve = testResolver();
    const link = cleanups.add(await connectSsh(target, await testDeps(sshd, { resolve })));

    const result = await runOver(link, 'echo "$SSH_CONNECTION"');
    expect(result.code).toBe(0);
    // client ip, client port, server ip, server port
    expect(result.stdout).toMatch(
      new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`),
    );
    expect(sshd.log()).toContain(`Accepted publickey for ${sshd.user} from 127.0.0.1`);
    expect(sshd.log()).toContain(keysOf(sshd).plain.fingerprint);
    expect(resolve.resolved).toEqual(['127.0.0.1']);
  });

  it('opens a PTY shell with TERM xterm-256color and the size asked for', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const link = cleanups.add(await connectSsh(await resolveTestHost(sshd), await testDeps(sshd)));
    const shell = await link.shell(101, 37);
    let output = '';
    shell.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closed = new Promise((resolve) => shell.on('close', resolve));
    shell.write('echo "term=$TERM size=$(stty size)"; exit\n');
    await closed;
    expect(output).toContain('term=xterm-256color size=37 101');
  });

  it('resolves the host name through the injected resolver; HostKeyAlias names the key', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const resolve = testResolver({ 'testhost-name': '127.0.0.1' });
    const target = {
      ...(await resolveTestHost(sshd)),
      hostName: 'testhost-name',
      // known_hosts holds the key as [127.0.0.1]:port; the alias is looked up as written.
      hostKeyAlias: `[127.0.0.1]:${sshd.port}`,
    };
    const link = cleanups.add(await connectSsh(target, await testDeps(sshd, { resolve })));
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    expect(resolve.resolved).toEqual(['testhost-name']);
  });

  it('asks for the passphrase of an encrypted key with its path, again after a wrong one', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const { encrypted } = keysOf(sshd);
    const target = { ...(await resolveTestHost(sshd)), identityFiles: [encrypted.path] };
    const answers = ['not the passphrase', encrypted.passphrase ?? ''];
    const { prompts, asked } = testPrompts({ passphrase: async () => answers.shift() ?? null });
    const deps = await testDeps(sshd, { prompts });
    const link = cleanups.add(await connectSsh(target, deps));

    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    expect(asked).toEqual([
      { name: 'passphrase', args: [encrypted.path] },
      { name: 'passphrase', args: [encrypted.path] },
    ]);
    expect(sshd.log()).toContain(encrypted.fingerprint);
    // Secrets are never logged.
    expect(deps.logLines.join('\n')).not.toContain(encrypted.passphrase);
    expect(deps.logLines.join('\n')).not.toContain('not the passphrase');
  });

  it('gives up a key after three wrong passphrases and goes on with the next key', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const { encrypted, plain } = keysOf(sshd);
    const target = {
      ...(await resolveTestHost(sshd)),
      identityFiles: [encrypted.path, plain.path],
    };
    const { prompts, asked } = testPrompts({ passphrase: async () => 'wrong' });
    const link = cleanups.add(await connectSsh(target, await testDeps(sshd, { prompts })));
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    expect(asked.map((a) => a.name)).toEqual(['passphrase', 'passphrase', 'passphrase']);
    expect(sshd.log()).toContain(plain.fingerprint);
  });

  it('no passphrase (null) skips the key: the next key logs in, or auth_failed lists what was tried', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const { encrypted, plain } = keysOf(sshd);
    const base = await resolveTestHost(sshd);
    const { prompts, asked } = testPrompts({ passphrase: async () => null });
    const deps = await testDeps(sshd, { prompts });

    const link = await connectSsh({ ...base, identityFiles: [encrypted.path, plain.path] }, deps);
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    await link.close();
    expect(asked).toHaveLength(1);
    expect(sshd.log()).toContain(plain.fingerprint);

    const error = await rejectionOf(connectSsh({ ...base, identityFiles: [encrypted.path] }, deps));
    expect(error).toBeInstanceOf(SshError);
    expect(error).toMatchObject({ kind: 'auth_failed' });
    expect(error.message).toContain(`publickey ${encrypted.path} (skipped: no passphrase)`);
    expect(error.message).toContain('the server accepts: publickey');
    expect(error.message).toContain(`127.0.0.1 port ${sshd.port}`);
  });

  it('logs in with a key held by the agent (no identity files)', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const agent = cleanups.add(await startSshAgent());
    const { plain } = keysOf(sshd);
    await agent.add(plain.path);
    const target = {
      ...(await resolveTestHost(sshd)),
      identityFiles: [],
      identityFilesFromConfig: false,
      identitiesOnly: false,
    };
    const link = cleanups.add(
      await connectSsh(target, await testDeps(sshd, { agentSocket: agent.socketPath })),
    );
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    expect(sshd.log()).toContain(`Accepted publickey for ${sshd.user}`);
    expect(sshd.log()).toContain(plain.fingerprint);
  });

  it('IdentitiesOnly uses the agent only for the configured key: no passphrase asked', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const agent = cleanups.add(await startSshAgent());
    const { plain, encrypted } = keysOf(sshd);
    sshd.authorize(encrypted.publicKey);
    // The agent holds both; only the encrypted one is configured.
    await agent.add(plain.path);
    await agent.add(encrypted.path, encrypted.passphrase);
    const target = {
      ...(await resolveTestHost(sshd)),
      identityFiles: [encrypted.path],
      identityFilesFromConfig: true,
      identitiesOnly: true,
    };
    const { prompts, asked } = testPrompts();
    const deps = await testDeps(sshd, { agentSocket: agent.socketPath, prompts });
    const link = cleanups.add(await connectSsh(target, deps));
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    expect(asked).toEqual([]);
    const accepted = sshd.log().match(/Accepted publickey for .*/)?.[0];
    expect(accepted).toContain(encrypted.fingerprint);
    expect(sshd.log()).not.toContain(plain.fingerprint);
  });

  it('without agent or keys, auth_failed says so', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const target = { ...(await resolveTestHost(sshd)), identityFiles: [] };
    const error = await rejectionOf(connectSsh(target, await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'auth_failed' });
    expect(error.message).toContain('tried: nothing: no agent and no usable key');
  });

  const noPasswordUser = whyNoThrowawayUser();
  it.skipIf(noPasswordUser)(
    `keyboard-interactive, then password (${noPasswordUser ?? 'a throwaway user is made'})`,
    async () => {
      const sshd = cleanups.add(
        await startTestSshd({ passwordAuthentication: true, keyboardInteractive: true }),
      );
      const user = sshd.passwordUser;
      if (!user) throw new Error(sshd.passwordUnavailable);
      const target = { ...(await resolveTestHost(sshd)), user: user.name, identityFiles: [] };

      // Keyboard-interactive (PAM asks "Password: ") answered: logs in that way.
      const kbd = testPrompts({ keyboardInteractive: async () => [user.password] });
      const first = await connectSsh(target, await testDeps(sshd, { prompts: kbd.prompts }));
      expect((await runOver(first, 'id -un')).stdout).toBe(`${user.name}\n`);
      await first.close();
      expect(kbd.asked[0]?.name).toBe('keyboardInteractive');
      expect(sshd.log()).toContain(`Accepted keyboard-interactive/pam for ${user.name}`);

      // Keyboard-interactive given up: the password prompt comes next, a wrong one then the right one.
      const passwords = ['wrong-password', user.password];
      const pw = testPrompts({
        keyboardInteractive: async () => null,
        password: async () => passwords.shift() ?? null,
      });
      const deps = await testDeps(sshd, { prompts: pw.prompts });
      const second = await connectSsh(target, deps);
      expect((await runOver(second, 'id -un')).stdout).toBe(`${user.name}\n`);
      await second.close();
      expect(pw.asked.map((a) => a.name)).toEqual(['keyboardInteractive', 'password', 'password']);
      expect(pw.asked[1]?.args).toEqual([user.name, '127.0.0.1']);
      expect(sshd.log()).toContain(`Accepted password for ${user.name}`);
      expect(deps.logLines.join('\n')).not.toContain(user.password);
    },
  );

  it('close() ends the link; onClose hears null (asked for), also when added afterwards', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const link = await connectSsh(await resolveTestHost(sshd), await testDeps(sshd));
    const reasons: unknown[] = [];
    link.onClose((reason) => reasons.push(reason));
    await link.close();
    expect(reasons).toEqual([null]);
    const late = await new Promise((resolve) => link.onClose(resolve));
    expect(late).toBeNull();
  });

  it('a server going away is connection_lost', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const link = await connectSsh(await resolveTestHost(sshd), await testDeps(sshd));
    const reason = new Promise<SshError | null>((resolve) => link.onClose(resolve));
    await sshd.stop();
    expect(await reason).toMatchObject({ kind: 'connection_lost' });
  });
});
