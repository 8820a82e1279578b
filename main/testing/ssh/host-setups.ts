/**
 * Ready-made client setups in a test sshd's HOME, for the common shapes:
 * a target behind a jump host, and an sshd behind a fault proxy. Each rewrites
 * the HOME's .ssh/config and .ssh/known_hosts, keeping "testhost" (direct).
 */
import { writeClientConfig, writeKnownHosts, type HostEntry } from './client-config';
import type { TestSshd } from './test-sshd';

function plainKey(sshd: TestSshd): string {
  if (!sshd.clientKeys) throw new Error('the test sshd has no client keys yet');
  return sshd.clientKeys.plain.path;
}

function direct(sshd: TestSshd): HostEntry {
  return { alias: 'testhost', endpoint: sshd.endpoint(), identityFile: plainKey(sshd) };
}

/**
 * In target's HOME: "jumphost" (the jump sshd) and "target" (ProxyJump
 * jumphost: ssh opens a direct-tcpip channel on the jump sshd to the target's
 * 127.0.0.1 port). known_hosts trusts both.
 */
export function writeJumpHostSetup(jump: TestSshd, target: TestSshd): void {
  writeKnownHosts(target.knownHostsPath, [jump.knownHostsLine(), target.knownHostsLine()]);
  writeClientConfig(target.clientConfigPath, {
    knownHostsPath: target.knownHostsPath,
    hosts: [
      direct(target),
      { alias: 'jumphost', endpoint: jump.endpoint(), identityFile: plainKey(jump) },
      {
        alias: 'target',
        endpoint: target.endpoint(),
        identityFile: plainKey(target),
        proxyJump: 'jumphost',
      },
    ],
  });
}

/**
 * In sshd's HOME: "viaproxy", the sshd reached through a proxy on proxyPort
 * (a FaultProxy's port). known_hosts trusts the sshd's key on both ports.
 */
export function writeProxySetup(sshd: TestSshd, proxyPort: number, alias = 'viaproxy'): void {
  writeKnownHosts(sshd.knownHostsPath, [sshd.knownHostsLine(), sshd.knownHostsLine(proxyPort)]);
  writeClientConfig(sshd.clientConfigPath, {
    knownHostsPath: sshd.knownHostsPath,
    hosts: [
      direct(sshd),
      { alias, endpoint: { ...sshd.endpoint(), port: proxyPort }, identityFile: plainKey(sshd) },
    ],
  });
}
