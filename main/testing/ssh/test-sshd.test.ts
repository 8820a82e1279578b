/**
 * The SSH test fixtures against OpenSSH's own client: the test sshd takes the
 * keys, known_hosts and config it writes, a ProxyJump through a second sshd
 * works, the test agent's keys log in, and stopping leaves nothing behind.
 * If the real ssh cannot do it, neither can the app's tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups } from './cleanups';
import { writeClientConfig } from './client-config';
import { writeJumpHostSetup } from './host-setups';
import { runSsh, SshSession } from './openssh-client';
import { runCommand } from './run-command';
import { startSshAgent } from './ssh-agent';
import { startTestSshd, type TestSshd } from './test-sshd';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const HELLO = 'echo hello-$((1+1))';

function keysOf(sshd: TestSshd) {
  if (!sshd.clientKeys) throw new Error('the test sshd has no client keys');
  return sshd.clientKeys;
}

describe('test sshd with the OpenSSH client', () => {
  it('logs in with the plain key from the test config and runs a command', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const result = await runSsh(['testhost', HELLO], { configPath: sshd.clientConfigPath });
    expect(result).toMatchObject({ code: 0, stdout: 'hello-2\n' });
    expect(sshd.log()).toContain(`Accepted publickey for ${sshd.user} from 127.0.0.1`);
    expect(sshd.log()).toContain(keysOf(sshd).plain.fingerprint);
  });

  it('serves the host key it reports, which known_hosts holds under [127.0.0.1]:port', async () => {
    const sshd = cleanups.add(await startTestSshd());
    expect(sshd.hostPublicKey).toMatch(/^ssh-ed25519 AAAA\S+$/);
    expect(sshd.hostFingerprint).toMatch(/^SHA256:\S+$/);

    const scan = await runCommand('ssh-keyscan', [
      '-t',
      'ed25519',
      '-p',
      `${sshd.port}`,
      '127.0.0.1',
    ]);
    expect(scan.stdout.trim()).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`);

    const found = await runCommand('ssh-keygen', [
      '-F',
      `[127.0.0.1]:${sshd.port}`,
      '-f',
      sshd.knownHostsPath,
    ]);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain(sshd.hostPublicKey);
    const listed = await runCommand('ssh-keygen', ['-l', '-f', sshd.knownHostsPath]);
    expect(listed.stdout).toContain(sshd.hostFingerprint);
  });

  it('known_hosts: trusted passes StrictHostKeyChecking, empty and a wrong key fail', async () => {
    const sshd = cleanups.add(await startTestSshd({ knownHosts: 'empty' }));
    const options = { configPath: sshd.clientConfigPath };

    const unknown = await runSsh(['testhost', HELLO], options);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toContain('Host key verification failed');

    sshd.writeKnownHosts('wrongKey');
    const wrong = await runSsh(['testhost', HELLO], options);
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');

    sshd.writeKnownHosts('trusted');
    const trusted = await runSsh(['testhost', HELLO], options);
    expect(trusted).toMatchObject({ code: 0, stdout: 'hello-2\n' });
  });

  it('restartWithNewHostKey serves a new key on the same port; the old entry now mismatches', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const { port, hostPublicKey, hostFingerprint } = sshd;
    await sshd.restartWithNewHostKey();
    expect(sshd.port).toBe(port);
    expect(sshd.hostPublicKey).not.toBe(hostPublicKey);
    expect(sshd.hostFingerprint).not.toBe(hostFingerprint);

    const changed = await runSsh(['testhost', HELLO], { configPath: sshd.clientConfigPath });
    expect(changed.code).toBe(255);
    expect(changed.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(changed.stderr).toContain(sshd.hostFingerprint);

    sshd.writeKnownHosts('trusted');
    const trusted = await runSsh(['testhost', HELLO], { configPath: sshd.clientConfigPath });
    expect(trusted).toMatchObject({ code: 0, stdout: 'hello-2\n' });
  });

  it('the encrypted client key needs its passphrase, and logs in with it', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const { encrypted } = keysOf(sshd);
    expect(encrypted.passphrase).toBeTruthy();

    const without = await runCommand('ssh-keygen', ['-y', '-P', '', '-f', encrypted.path]);
    expect(without.code).not.toBe(0);
    const withIt = await runCommand('ssh-keygen', [
      '-y',
      '-P',
      encrypted.passphrase ?? '',
      '-f',
      encrypted.path,
    ]);
    expect(withIt.code).toBe(0);
    expect(withIt.stdout).toContain(encrypted.publicKey);

    const configPath = join(sshd.sshDir, 'config-encrypted');
    writeClientConfig(configPath, {
      knownHostsPath: sshd.knownHostsPath,
      hosts: [{ alias: 'testhost', endpoint: sshd.endpoint(), identityFile: encrypted.path }],
    });
    const batch = await runSsh(['testhost', HELLO], { configPath });
    expect(batch.code).toBe(255);
    const password = { value: encrypted.passphrase ?? '', askpassDir: sshd.dir };
    const asked = await runSsh(['testhost', HELLO], { configPath, password });
    expect(asked).toMatchObject({ code: 0, stdout: 'hello-2\n' });
    expect(sshd.log()).toContain(encrypted.fingerprint);
  });

  it('ProxyJump through a second sshd reaches the target', async () => {
    const jump = cleanups.add(await startTestSshd());
    const target = cleanups.add(await startTestSshd());
    writeJumpHostSetup(jump, target);
    const result = await runSsh(['target', 'echo "on $SSH_CONNECTION"; ' + HELLO], {
      configPath: target.clientConfigPath,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('hello-2\n');
    // The target saw the jump sshd connect to it from 127.0.0.1.
    expect(result.stdout).toContain(`127.0.0.1 ${target.port}`);
    expect(jump.log()).toContain(keysOf(jump).plain.fingerprint);
    expect(target.log()).toContain(keysOf(target).plain.fingerprint);
  });

  it('ProxyJump fails when the jump sshd forbids TCP forwarding', async () => {
    const jump = cleanups.add(await startTestSshd({ allowTcpForwarding: false }));
    const target = cleanups.add(await startTestSshd());
    writeJumpHostSetup(jump, target);
    const result = await runSsh(['target', HELLO], { configPath: target.clientConfigPath });
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/administratively prohibited/);
  });

  it('the test agent logs in with the keys it holds, and only with them', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const agent = cleanups.add(await startSshAgent());
    const { plain, encrypted } = keysOf(sshd);
    await agent.add(encrypted.path, encrypted.passphrase);
    await agent.add(plain.path);
    const held = await agent.list();
    expect(held).toHaveLength(2);
    expect(held.join('\n')).toContain(encrypted.publicKey);

    const configPath = join(sshd.sshDir, 'config-agent');
    writeClientConfig(configPath, {
      knownHostsPath: sshd.knownHostsPath,
      hosts: [{ alias: 'testhost', endpoint: sshd.endpoint() }],
    });
    const withAgent = await runSsh(['testhost', HELLO], {
      configPath,
      agentSocket: agent.socketPath,
    });
    expect(withAgent).toMatchObject({ code: 0, stdout: 'hello-2\n' });
    // The agent offers keys in the order they were added.
    expect(sshd.log()).toMatch(
      new RegExp(`Accepted publickey for ${sshd.user} .* ${escape(encrypted.fingerprint)}`),
    );

    const withoutAgent = await runSsh(['testhost', HELLO], { configPath });
    expect(withoutAgent.code).toBe(255);
    expect(withoutAgent.stderr).toContain('Permission denied');
  });

  it('password and keyboard-interactive logins as a throwaway user', async (context) => {
    const sshd = cleanups.add(
      await startTestSshd({ passwordAuthentication: true, keyboardInteractive: true }),
    );
    const user = sshd.passwordUser;
    if (!user) {
      context.skip(sshd.passwordUnavailable);
      return;
    }
    const login = (method: string, password: string) =>
      runSsh(
        [
          '-o',
          `PreferredAuthentications=${method}`,
          '-o',
          'NumberOfPasswordPrompts=1',
          '-l',
          user.name,
          'testhost',
          'id -un',
        ],
        { configPath: sshd.clientConfigPath, password: { value: password, askpassDir: sshd.dir } },
      );

    expect(await login('password', user.password)).toMatchObject({
      code: 0,
      stdout: `${user.name}\n`,
    });
    expect(sshd.log()).toContain(`Accepted password for ${user.name}`);
    expect(await login('keyboard-interactive', user.password)).toMatchObject({
      code: 0,
      stdout: `${user.name}\n`,
    });
    expect(sshd.log()).toContain(`Accepted keyboard-interactive/pam for ${user.name}`);
    const wrong = await login('password', 'not-the-password');
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toContain('Permission denied');

    await sshd.stop();
    const gone = await runCommand('id', [user.name]);
    expect(gone.code).not.toBe(0);
  });

  it('stop ends sshd and its sessions and removes the temp dir', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const session = cleanups.add(
      new SshSession(['-T', 'testhost', 'echo ready; cat'], {
        configPath: sshd.clientConfigPath,
      }),
    );
    await session.untilOutput(/ready/);
    const pid = Number(readFileSync(sshd.pidFilePath, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);

    await sshd.stop();
    const ended = await session.exited;
    expect(ended.code).not.toBe(0);
    expect(existsSync(sshd.dir)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('takes its options into the config sshd runs with (sshd -T)', async () => {
    const sshd = cleanups.add(
      await startTestSshd({
        maxSessions: 3,
        clientAliveIntervalSeconds: 7,
        allowTcpForwarding: false,
      }),
    );
    const effective = await runCommand('/usr/sbin/sshd', ['-T', '-f', sshd.configPath]);
    expect(effective.code).toBe(0);
    const lines = effective.stdout.split('\n');
    expect(lines).toContain(`listenaddress 127.0.0.1:${sshd.port}`);
    expect(lines).toContain('maxsessions 3');
    expect(lines).toContain('clientaliveinterval 7');
    expect(lines).toContain('allowtcpforwarding no');
    expect(lines).toContain(`authorizedkeysfile ${sshd.authorizedKeysPath}`);
    expect(lines).toContain('passwordauthentication no');
  });

  it('a config sshd rejects fails the start with the log', async () => {
    await expect(startTestSshd({ extraConfig: ['NoSuchOption yes'] })).rejects.toThrow(
      /Bad configuration option: NoSuchOption/,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
