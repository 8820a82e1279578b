/**
 * The client side files of the SSH tests, as a user would have them:
 * ~/.ssh/config with Host entries for the test sshds (a ProxyJump between
 * them), and known_hosts lines. Every path in them is absolute, because
 * OpenSSH expands "~" from the passwd database, not from $HOME.
 */
import { writeFileSync } from 'node:fs';

/** Where a Host entry points: a test sshd, or a fault proxy in front of one. */
export type SshEndpoint = { host: string; port: number; user: string };

export type HostEntry = {
  alias: string;
  endpoint: SshEndpoint;
  /** The key to log in with (IdentitiesOnly yes); without one, the agent's keys are used. */
  identityFile?: string;
  /** Another alias (or several, comma separated) to jump through. */
  proxyJump?: string;
  /** More options for this host, e.g. { ConnectTimeout: 5 }. */
  options?: Record<string, string | number>;
};

export type ClientConfig = {
  knownHostsPath: string;
  hosts: HostEntry[];
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new' | 'ask';
};

export function clientConfigText(config: ClientConfig): string {
  const blocks = config.hosts.map((entry) => {
    const lines = [
      `Host ${entry.alias}`,
      `  HostName ${entry.endpoint.host}`,
      `  Port ${entry.endpoint.port}`,
      `  User ${entry.endpoint.user}`,
    ];
    if (entry.identityFile !== undefined) {
      lines.push(`  IdentityFile ${quote(entry.identityFile)}`, '  IdentitiesOnly yes');
    } else {
      lines.push('  IdentitiesOnly no');
    }
    if (entry.proxyJump !== undefined) lines.push(`  ProxyJump ${entry.proxyJump}`);
    for (const [name, value] of Object.entries(entry.options ?? {})) {
      lines.push(`  ${name} ${value}`);
    }
    return lines.join('\n');
  });
  // "Host *" comes last: for each option, the first value OpenSSH reads wins.
  const defaults = [
    'Host *',
    `  UserKnownHostsFile ${quote(config.knownHostsPath)}`,
    '  GlobalKnownHostsFile /dev/null',
    `  StrictHostKeyChecking ${config.strictHostKeyChecking ?? 'yes'}`,
    '  UpdateHostKeys no',
  ].join('\n');
  return `${[...blocks, defaults].join('\n\n')}\n`;
}

export function writeClientConfig(path: string, config: ClientConfig): void {
  writeFileSync(path, clientConfigText(config), { mode: 0o600 });
}

/** "[127.0.0.1]:2222 ssh-ed25519 AAAA...", or without brackets on port 22. */
export function knownHostsLine(host: string, port: number, publicKey: string): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${publicKey}`;
}

export function writeKnownHosts(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''), { mode: 0o600 });
}

function quote(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}
