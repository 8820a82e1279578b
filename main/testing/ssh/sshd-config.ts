/**
 * The sshd_config of a test sshd: loopback only, its own host key, pid file
 * and authorized_keys (so the real ~/.ssh of whoever runs the tests is never
 * read or written), and verbose logs the tests can read.
 */
export type SshdConfigFields = {
  port: number;
  hostKeyPath: string;
  pidFilePath: string;
  authorizedKeysPath: string;
  passwordAuthentication: boolean;
  keyboardInteractive: boolean;
  maxSessions: number;
  allowTcpForwarding: boolean;
  clientAliveIntervalSeconds?: number;
  /** [major, minor] of the sshd, for options only newer versions know. */
  version: [number, number];
  extraLines: readonly string[];
};

export function sshdConfigText(fields: SshdConfigFields): string {
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  const lines = [
    'ListenAddress 127.0.0.1',
    'AddressFamily inet',
    `Port ${fields.port}`,
    `HostKey ${fields.hostKeyPath}`,
    `PidFile ${fields.pidFilePath}`,
    `AuthorizedKeysFile ${fields.authorizedKeysPath}`,
    // The test files live in a temp dir that sshd's ownership checks would refuse.
    'StrictModes no',
    // Keyboard-interactive on Linux exists only through PAM (the system's "sshd"
    // stack, which checks /etc/shadow); passwords alone are checked without it.
    `UsePAM ${yesNo(fields.keyboardInteractive)}`,
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${yesNo(fields.passwordAuthentication)}`,
    `KbdInteractiveAuthentication ${yesNo(fields.keyboardInteractive)}`,
    'PermitEmptyPasswords no',
    `AllowTcpForwarding ${yesNo(fields.allowTcpForwarding)}`,
    'X11Forwarding no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    `MaxSessions ${fields.maxSessions}`,
  ];
  if (fields.clientAliveIntervalSeconds !== undefined) {
    lines.push(`ClientAliveInterval ${fields.clientAliveIntervalSeconds}`);
  }
  // OpenSSH 9.8 and later refuse a source address for a while after failed
  // logins; tests fail logins on purpose, all from 127.0.0.1.
  const [major, minor] = fields.version;
  if (major > 9 || (major === 9 && minor >= 8)) lines.push('PerSourcePenalties no');
  lines.push(...fields.extraLines);
  return `${lines.join('\n')}\n`;
}
