/**
 * Test helpers for connectSsh against the real test sshd: targets resolved
 * from the test HOME's ssh config, an injected resolver (no real DNS), prompts
 * that record what they were asked, and a command run over the link.
 */
import type { ClientChannel } from 'ssh2';
import type { TestSshd } from '../testing/ssh/test-sshd';
import { loadSshConfig, resolveHost, type ResolvedHost } from './ssh-config';
import type { ConnectDeps, ConnectPrompts, SshLink } from './ssh-connect';
import { jumpResolver } from './ssh-connect';
import { knownHostsFile } from './ssh-connect-hostkey';

/** Names the tests may resolve; anything else is ENOTFOUND, as from a real resolver. */
export function testResolver(names: Record<string, string> = {}) {
  const resolved: string[] = [];
  const resolve = async (host: string): Promise<string> => {
    resolved.push(host);
    if (host === '127.0.0.1') return host;
    const address = names[host];
    if (address) return address;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  return Object.assign(resolve, { resolved });
}

export type PromptLog = { name: keyof ConnectPrompts; args: unknown[] }[];

/** Prompts that record each question; one not given fails the connection loudly. */
export function testPrompts(answers: Partial<ConnectPrompts> = {}) {
  const asked: PromptLog = [];
  const unexpected = (name: keyof ConnectPrompts) => async (): Promise<never> => {
    throw new Error(`unexpected prompt: ${name}`);
  };
  const prompts: ConnectPrompts = {
    hostKey: async (info) => {
      asked.push({ name: 'hostKey', args: [info] });
      return (answers.hostKey ?? unexpected('hostKey'))(info);
    },
    passphrase: async (path) => {
      asked.push({ name: 'passphrase', args: [path] });
      return (answers.passphrase ?? unexpected('passphrase'))(path);
    },
    password: async (user, host) => {
      asked.push({ name: 'password', args: [user, host] });
      return (answers.password ?? unexpected('password'))(user, host);
    },
    keyboardInteractive: async (name, instructions, prompts) => {
      asked.push({ name: 'keyboardInteractive', args: [name, instructions, prompts] });
      return (answers.keyboardInteractive ?? unexpected('keyboardInteractive'))(
        name,
        instructions,
        prompts,
      );
    },
  };
  return { prompts, asked };
}

/** The alias as ssh would resolve it with the sshd's test HOME. */
export async function resolveTestHost(sshd: TestSshd, alias = 'testhost'): Promise<ResolvedHost> {
  const config = await loadSshConfig({ home: sshd.home });
  return resolveHost(config, alias, { localUser: sshd.user, home: sshd.home });
}

/** Deps for the sshd's test HOME: its known_hosts, its config for jumps, a test resolver. */
export async function testDeps(
  sshd: TestSshd,
  overrides: Partial<ConnectDeps> = {},
): Promise<ConnectDeps & { logLines: string[] }> {
  const config = await loadSshConfig({ home: sshd.home });
  const logLines: string[] = [];
  return {
    knownHosts: knownHostsFile(sshd.knownHostsPath),
    resolve: testResolver(),
    resolveJump: jumpResolver(config, { localUser: sshd.user, home: sshd.home }),
    prompts: testPrompts().prompts,
    log: (line) => logLines.push(line),
    ...overrides,
    logLines,
  };
}

/** Runs a command over the link; stdout, stderr and the exit code. */
export function runOver(
  link: SshLink,
  command: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    link.client.exec(command, (error, channel) => {
      if (error) return reject(error);
      collect(channel).then(resolve, reject);
    });
  });
}

function collect(channel: ClientChannel) {
  return new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    channel.on('exit', (exitCode: number | null) => (code = exitCode));
    channel.on('close', () => resolve({ stdout, stderr, code }));
  });
}

/** What `promise` rejected with (the test fails if it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    if (value && typeof value === 'object' && 'close' in value) {
      await (value as SshLink).close();
    }
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, and it resolved');
}
