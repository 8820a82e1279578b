/**
 * A real ssh-agent for the SSH tests, on a socket in its own temp dir (never
 * the agent of whoever runs the tests). Keys go in with ssh-add; an encrypted
 * key's passphrase is handed over by an askpass script, as a desktop would.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './daemon';
import { cleanUpAtExit } from './exit-cleanup';
import { mustRun, runCommand } from './run-command';

export type TestSshAgent = {
  /** For SSH_AUTH_SOCK. */
  socketPath: string;
  pid: number;
  dir: string;
  logPath: string;
  /** ssh-add a private key; the passphrase when it is encrypted. */
  add(keyPath: string, passphrase?: string): Promise<void>;
  /** The public keys the agent holds ("ssh-ed25519 AAAA... comment"), from ssh-add -L. */
  list(): Promise<string[]>;
  stop(): Promise<void>;
};

export async function startSshAgent(
  options: { startTimeoutMs?: number } = {},
): Promise<TestSshAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-agent-'));
  const forgetAtExit = cleanUpAtExit(() =>
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }),
  );
  const socketPath = join(dir, 'agent.sock');
  const logPath = join(dir, 'agent.log');
  let daemon: Daemon | undefined;
  const stop = async () => {
    await daemon?.stop();
    daemon = undefined;
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    forgetAtExit();
  };
  try {
    daemon = await startDaemon('ssh-agent', ['-D', '-a', socketPath], {
      logPath,
      orphanCleanup: { dir },
    });
    await waitForSocket(socketPath, daemon, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    await stop();
    throw error;
  }

  const askpassPath = join(dir, 'askpass.sh');
  const passphrasePath = join(dir, 'passphrase');
  writeFileSync(askpassPath, `#!/bin/sh\ncat '${passphrasePath}'\n`, { mode: 0o700 });
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    SSH_AUTH_SOCK: socketPath,
    SSH_ASKPASS: askpassPath,
    SSH_ASKPASS_REQUIRE: 'force',
  });

  return {
    socketPath,
    pid: daemon.pid,
    dir,
    logPath,
    async add(keyPath, passphrase) {
      writeFileSync(passphrasePath, passphrase ?? '', { mode: 0o600 });
      chmodSync(passphrasePath, 0o600);
      try {
        await mustRun('ssh-add', [keyPath], { env: env() });
      } finally {
        rmSync(passphrasePath, { force: true });
      }
    },
    async list() {
      const result = await runCommand('ssh-add', ['-L'], { env: env() });
      // 1: the agent holds no keys.
      if (result.code === 1) return [];
      if (result.code !== 0) throw new Error(`ssh-add -L failed: ${result.stderr}`);
      return result.stdout.trim().split('\n');
    },
    stop,
  };
}

async function waitForSocket(path: string, daemon: Daemon, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (daemon.hasExited()) throw new Error('ssh-agent exited while starting');
    if (Date.now() > deadline) throw new Error(`ssh-agent made no socket at ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
