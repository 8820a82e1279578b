/**
 * A real OpenSSH sshd for the SSH tests, on 127.0.0.1 and a free port, with
 * everything in one temp dir: its host key, config, pid file, log and
 * authorized_keys, the client keys it accepts, and a test HOME whose
 * .ssh/config and .ssh/known_hosts point at it ("ssh testhost" works).
 *
 *   const cleanups = new Cleanups();
 *   afterEach(() => cleanups.run());
 *   const sshd = cleanups.add(await startTestSshd({ knownHosts: 'empty' }));
 *
 * Two calls give two sshds; writeClientConfig composes Host entries for
 * several of them (a ProxyJump from one to the other). Nothing leaves
 * 127.0.0.1 and nothing resolves a name.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  knownHostsLine,
  writeClientConfig,
  writeKnownHosts,
  type SshEndpoint,
} from './client-config';
import { startDaemon, type Daemon } from './daemon';
import { cleanUpAtExit } from './exit-cleanup';
import { freePort } from './free-port';
import { runCommand } from './run-command';
import { sshdConfigText } from './sshd-config';
import { generateKey, type KeyPair } from './ssh-keys';
import { createThrowawayUser, type ThrowawayUser } from './throwaway-user';

export type KnownHostsMode = 'trusted' | 'empty' | 'wrongKey';

export type TestSshdOptions = {
  /** Accept passwords; needs a throwaway user (see throwaway-user.ts), else passwordUnavailable says why. */
  passwordAuthentication?: boolean;
  /** Accept keyboard-interactive (through PAM); same throwaway user as passwords. */
  keyboardInteractive?: boolean;
  /** Let the throwaway user be made without CI set (still only as root). */
  allowCreatingUser?: boolean;
  /** sshd's MaxSessions: channels with a session per connection (default 10, as OpenSSH). */
  maxSessions?: number;
  /** sshd's ClientAliveInterval, when set. */
  clientAliveIntervalSeconds?: number;
  /** Allow direct-tcpip (a ProxyJump through this sshd) and port forwarding (default true). */
  allowTcpForwarding?: boolean;
  /** What the test HOME's known_hosts holds for this sshd (default 'trusted'). */
  knownHosts?: KnownHostsMode;
  /** More sshd_config lines, appended. */
  extraConfig?: string[];
  /** How long to wait for sshd to listen: a limit for a failing start, not a test of speed. */
  startTimeoutMs?: number;
  /** sshd must be started by its absolute path (it re-executes itself). */
  sshdPath?: string;
  /**
   * Whether the host's shells find tmux (default true). false: their PATH holds only
   * /usr/sbin and /sbin, as a host without tmux.
   */
  tmux?: boolean;
};

export async function startTestSshd(options: TestSshdOptions = {}): Promise<TestSshd> {
  const sshdPath = options.sshdPath ?? '/usr/sbin/sshd';
  try {
    statSync(sshdPath);
  } catch {
    throw new Error(`no OpenSSH server at ${sshdPath}: install openssh-server`);
  }
  const sshd = new TestSshd(mkdtempSync(join(tmpdir(), 'tether-sshd-')), sshdPath, options);
  try {
    await sshd.start();
  } catch (error) {
    await sshd.stop();
    throw error;
  }
  return sshd;
}

export class TestSshd {
  readonly host = '127.0.0.1';
  port = 0;
  /** Whoever runs the tests: sshd run by anyone but root only lets its own user in. */
  readonly user = userInfo().username;
  readonly configPath: string;
  readonly logPath: string;
  readonly pidFilePath: string;
  readonly authorizedKeysPath: string;
  hostKeyPath: string;
  hostPublicKey = '';
  hostFingerprint = '';
  /** A key that is not this sshd's, for known_hosts 'wrongKey'. */
  impostorHostKey: KeyPair | undefined;
  /** The test HOME: .ssh/config (Host testhost), .ssh/known_hosts, the client keys. */
  readonly home: string;
  readonly sshDir: string;
  readonly clientConfigPath: string;
  readonly knownHostsPath: string;
  clientKeys: { plain: KeyPair; encrypted: KeyPair } | undefined;
  /** The account for password and keyboard-interactive logins, when one could be made. */
  passwordUser: ThrowawayUser | undefined;
  /** Why passwordUser is missing although asked for. */
  passwordUnavailable: string | undefined;
  /**
   * The host side of every login: its HOME (not the real one, so no rc file of the
   * machine's user runs) and TMUX_TMPDIR (its own tmux servers, never a person's).
   */
  readonly remoteHome: string;
  readonly tmuxTmpdir: string;

  private daemon: Daemon | undefined;
  private version: [number, number] = [0, 0];
  private hostKeyGeneration = 0;
  private readonly forgetAtExit: () => void;

  constructor(
    readonly dir: string,
    private readonly sshdPath: string,
    private readonly options: TestSshdOptions,
  ) {
    this.configPath = join(dir, 'sshd_config');
    this.logPath = join(dir, 'sshd.log');
    this.pidFilePath = join(dir, 'sshd.pid');
    this.authorizedKeysPath = join(dir, 'authorized_keys');
    this.hostKeyPath = join(dir, 'host_ed25519_key');
    this.home = join(dir, 'home');
    this.sshDir = join(this.home, '.ssh');
    this.clientConfigPath = join(this.sshDir, 'config');
    this.knownHostsPath = join(this.sshDir, 'known_hosts');
    this.remoteHome = join(dir, 'remote-home');
    this.tmuxTmpdir = join(dir, 'tmux');
    this.forgetAtExit = cleanUpAtExit(() =>
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }),
    );
  }

  /** Where an ssh client connects, as the test user or another. */
  endpoint(user = this.user): SshEndpoint {
    return { host: this.host, port: this.port, user };
  }

  /** sshd's log so far ("Accepted publickey for ...", "Failed password ..."). */
  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** This sshd's known_hosts line, for its port or for a proxy's port in front of it. */
  knownHostsLine(port = this.port): string {
    return knownHostsLine(this.host, port, this.hostPublicKey);
  }

  /** Rewrite the test HOME's known_hosts for this sshd. */
  writeKnownHosts(mode: KnownHostsMode): void {
    if (mode === 'empty') writeKnownHosts(this.knownHostsPath, []);
    else if (mode === 'trusted') writeKnownHosts(this.knownHostsPath, [this.knownHostsLine()]);
    else {
      const impostor = this.impostorHostKey?.publicKey;
      if (!impostor) throw new Error('the impostor host key is not made yet');
      writeKnownHosts(this.knownHostsPath, [knownHostsLine(this.host, this.port, impostor)]);
    }
  }

  /** Accept one more public key ("ssh-ed25519 AAAA..."). */
  authorize(publicKey: string): void {
    writeFileSync(this.authorizedKeysPath, `${publicKey}\n`, { flag: 'a', mode: 0o600 });
  }

  /**
   * A new host key, same port: sshd re-reads its config on SIGHUP. The test
   * HOME's known_hosts still holds the old key, as after a reinstalled server.
   */
  async restartWithNewHostKey(): Promise<void> {
    const daemon = this.requireDaemon();
    await this.makeHostKey();
    this.writeSshdConfig();
    const logOffset = this.log().length;
    process.kill(daemon.pid, 'SIGHUP');
    await this.waitUntilListening(daemon, logOffset);
  }

  /** Run tmux on the host's Tether server (`tmux -L tether ...`), as the test user. */
  hostTmux(
    args: readonly string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runCommand('tmux', ['-L', 'tether', ...args], {
      env: { ...process.env, TMUX_TMPDIR: this.tmuxTmpdir, TMUX: '' },
    });
  }

  /** Stop sshd and its sessions, the host's tmux servers, the throwaway user and the temp dir. */
  async stop(): Promise<void> {
    const daemon = this.daemon;
    this.daemon = undefined;
    try {
      await this.hostTmux(['kill-server']).catch(() => undefined);
      await daemon?.stop();
      await this.passwordUser?.remove();
    } finally {
      this.passwordUser = undefined;
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      this.forgetAtExit();
    }
  }

  /** Called once by startTestSshd. */
  async start(): Promise<void> {
    this.version = await sshdVersion(this.sshdPath);
    mkdirSync(this.sshDir, { recursive: true, mode: 0o700 });
    mkdirSync(this.remoteHome, { recursive: true, mode: 0o755 });
    // Shared by every account logging in here (tmux makes a tmux-<uid> directory in it).
    mkdirSync(this.tmuxTmpdir, { recursive: true });
    chmodSync(this.tmuxTmpdir, 0o1777);
    await this.makeHostKey();
    this.impostorHostKey = await generateKey(join(this.dir, 'impostor_host_key'), {
      comment: 'tether-test-impostor',
    });
    this.clientKeys = {
      plain: await generateKey(join(this.sshDir, 'test_plain_ed25519'), {
        comment: 'tether-test-plain',
      }),
      encrypted: await generateKey(join(this.sshDir, 'test_encrypted_ed25519'), {
        comment: 'tether-test-encrypted',
        passphrase: 'correct horse battery staple',
      }),
    };
    writeFileSync(this.authorizedKeysPath, '', { mode: 0o600 });
    this.authorize(this.clientKeys.plain.publicKey);
    this.authorize(this.clientKeys.encrypted.publicKey);

    if (this.options.passwordAuthentication || this.options.keyboardInteractive) {
      const made = await createThrowawayUser(this.dir, this.options.allowCreatingUser);
      this.passwordUser = made.user;
      this.passwordUnavailable = made.unavailable;
    }

    await this.listenOnAFreePort();
    this.writeKnownHosts(this.options.knownHosts ?? 'trusted');
    writeClientConfig(this.clientConfigPath, {
      knownHostsPath: this.knownHostsPath,
      hosts: [
        { alias: 'testhost', endpoint: this.endpoint(), identityFile: this.clientKeys.plain.path },
      ],
    });
  }

  private async listenOnAFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      this.writeSshdConfig();
      const logOffset = this.log().length;
      const daemon = await startDaemon(this.sshdPath, ['-D', '-e', '-f', this.configPath], {
        logPath: this.logPath,
        orphanCleanup: { dir: this.dir, user: this.passwordUser?.name },
      });
      this.daemon = daemon;
      try {
        await this.waitUntilListening(daemon, logOffset);
        return;
      } catch (error) {
        this.daemon = undefined;
        await daemon.stop();
        const said = this.log().slice(logOffset);
        if (attempt < 5 && makePrivilegeSeparationDirectory(said)) continue;
        if (!said.includes('Address already in use') || attempt >= 5) throw error;
      }
    }
  }

  private writeSshdConfig(): void {
    const passwords = this.passwordUser !== undefined;
    const text = sshdConfigText({
      port: this.port,
      hostKeyPath: this.hostKeyPath,
      pidFilePath: this.pidFilePath,
      authorizedKeysPath: this.authorizedKeysPath,
      passwordAuthentication: passwords && Boolean(this.options.passwordAuthentication),
      keyboardInteractive: passwords && Boolean(this.options.keyboardInteractive),
      maxSessions: this.options.maxSessions ?? 10,
      allowTcpForwarding: this.options.allowTcpForwarding ?? true,
      clientAliveIntervalSeconds: this.options.clientAliveIntervalSeconds,
      version: this.version,
      extraLines: [
        `SetEnv HOME=${this.remoteHome} TMUX_TMPDIR=${this.tmuxTmpdir}${this.options.tmux === false ? ' PATH=/usr/sbin:/sbin' : ''}`,
        ...(this.options.extraConfig ?? []),
      ],
    });
    writeFileSync(this.configPath, text, { mode: 0o600 });
  }

  private async makeHostKey(): Promise<void> {
    this.hostKeyGeneration += 1;
    const suffix = this.hostKeyGeneration === 1 ? '' : `_${this.hostKeyGeneration}`;
    this.hostKeyPath = join(this.dir, `host_ed25519_key${suffix}`);
    const key = await generateKey(this.hostKeyPath, { comment: 'tether-test-host' });
    this.hostPublicKey = key.publicKey;
    this.hostFingerprint = key.fingerprint;
  }

  /** Until sshd says it listens (after logOffset) and the port takes a TCP connection. */
  private async waitUntilListening(daemon: Daemon, logOffset: number): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 15_000);
    for (;;) {
      if (daemon.hasExited()) {
        throw new Error(`sshd exited while starting:\n${logTail(this.log())}`);
      }
      const said = this.log().slice(logOffset).includes(`Server listening on ${this.host}`);
      if (said && (await acceptsConnections(this.host, this.port))) return;
      if (Date.now() > deadline) {
        throw new Error(`sshd did not listen on port ${this.port}:\n${logTail(this.log())}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private requireDaemon(): Daemon {
    if (!this.daemon) throw new Error('the test sshd is stopped');
    return this.daemon;
  }
}

function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** [major, minor] from "OpenSSH_9.2p1 ...", which sshd prints for an unknown option. */
async function sshdVersion(sshdPath: string): Promise<[number, number]> {
  const { stderr } = await runCommand(sshdPath, ['-V']);
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(stderr);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

/**
 * sshd run by root refuses to start without its privilege separation
 * directory (/run/sshd on Debian), which the openssh-server service makes
 * when it starts and a container or CI machine may lack: make it as the
 * service does, and say whether that was the trouble.
 */
function makePrivilegeSeparationDirectory(log: string): boolean {
  const missing = /Missing privilege separation directory: (\/\S+)/.exec(log)?.[1];
  if (!missing || process.getuid?.() !== 0) return false;
  mkdirSync(missing, { recursive: true, mode: 0o755 });
  return true;
}

function logTail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n') || '(the log is empty)';
}
