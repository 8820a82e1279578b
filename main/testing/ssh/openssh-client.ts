/**
 * OpenSSH's own ssh client, run by the tests as a reference: what a fixture
 * offers must work for the real client before the app is tested against it.
 * It reads only the config given with -F, never the machine's ~/.ssh/config.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { runCommand, type CommandResult } from './run-command';

export type SshClientOptions = {
  /** The ssh config to read (-F). */
  configPath: string;
  /** SSH_AUTH_SOCK; without it ssh sees no agent. */
  agentSocket?: string;
  /** Answer every prompt with this, through SSH_ASKPASS: password, keyboard-interactive, key passphrase. */
  password?: { value: string; askpassDir: string };
  /** Safety net for a hanging client, not a test of speed. */
  timeoutMs?: number;
};

function sshArguments(options: SshClientOptions, args: readonly string[]): string[] {
  // BatchMode would also silence the askpass program.
  const batch = options.password ? [] : ['-o', 'BatchMode=yes'];
  return ['-F', options.configPath, ...batch, ...args];
}

function sshEnvironment(options: SshClientOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C' };
  if (options.agentSocket) env.SSH_AUTH_SOCK = options.agentSocket;
  if (options.password) {
    const script = `${options.password.askpassDir}/ssh-askpass-test.sh`;
    const secret = `${options.password.askpassDir}/ssh-askpass-test.secret`;
    writeFileSync(secret, options.password.value, { mode: 0o600 });
    writeFileSync(script, `#!/bin/sh\ncat '${secret}'\necho\n`, { mode: 0o700 });
    chmodSync(script, 0o700);
    env.SSH_ASKPASS = script;
    env.SSH_ASKPASS_REQUIRE = 'force';
  }
  return env;
}

/** ssh ... and what it printed; e.g. runSsh(['testhost', 'echo hi'], { configPath }). */
export function runSsh(args: readonly string[], options: SshClientOptions): Promise<CommandResult> {
  return runCommand('ssh', sshArguments(options, args), {
    env: sshEnvironment(options),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

/** A long-running ssh whose stdin the test writes and whose stdout it waits on. */
export class SshSession {
  readonly child: ChildProcessWithoutNullStreams;
  private stdoutText = '';
  private stderrText = '';
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], options: SshClientOptions) {
    this.child = spawn('ssh', sshArguments(options, args), { env: sshEnvironment(options) });
    this.child.stdin.on('error', () => {});
    const wake = () => {
      for (const waiter of this.waiters.splice(0)) waiter();
    };
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString('utf8');
      wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
      wake();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.closed = true;
        resolve({ code, signal });
        wake();
      });
    });
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  /** Wait until stdout matches, re-checking on every chunk; timeoutMs is a safety net. */
  async untilOutput(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdoutText.match(pattern);
      if (match) return match;
      if (this.closed) {
        throw new Error(`ssh exited before printing ${pattern}; stderr: ${this.stderrText}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`ssh did not print ${pattern}; stderr: ${this.stderrText}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** End the session (SIGTERM) and wait for the client to exit. */
  async stop(): Promise<void> {
    if (!this.closed) this.child.kill('SIGTERM');
    await this.exited;
  }
}
