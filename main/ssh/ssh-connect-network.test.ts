/**
 * connectSsh over the network's troubles, against real sshds and a fault
 * proxy: ProxyJump, refused and dead ports, a server that never answers,
 * unknown names, and a stalled connection found by keepalives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy } from '../testing/ssh/fault-proxy';
import { freePort } from '../testing/ssh/free-port';
import { writeJumpHostSetup, writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd } from '../testing/ssh/test-sshd';
import { connectSsh } from './ssh-connect';
import {
  rejectionOf,
  resolveTestHost,
  runOver,
  testDeps,
  testResolver,
} from './ssh-connect-testing';
import type { SshError } from './ssh-errors';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('connectSsh: jumps and network failures', () => {
  it('ProxyJump through a second sshd reaches the target', async () => {
    const jump = cleanups.add(await startTestSshd());
    const target = cleanups.add(await startTestSshd());
    writeJumpHostSetup(jump, target);
    const resolved = await resolveTestHost(target, 'target');
    expect(resolved.proxyJump).toEqual([{ user: null, host: 'jumphost', port: null }]);
    const resolve = testResolver();
    const link = cleanups.add(await connectSsh(resolved, await testDeps(target, { resolve })));

    const result = await runOver(link, 'echo "$SSH_CONNECTION"');
    // The target sees the jump sshd connecting from 127.0.0.1.
    expect(result.stdout).toMatch(
      new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${target.port}\\n$`),
    );
    expect(jump.log()).toContain('Accepted publickey');
    expect(target.log()).toContain('Accepted publickey');
    // Only the jump host was resolved locally; the target's name went to the jump host.
    expect(resolve.resolved).toEqual(['127.0.0.1']);

    // Closing the link closes the jump connection too.
    await link.close();
  });

  it('a jump host that forbids forwarding is jump_failed naming the hop', async () => {
    const jump = cleanups.add(await startTestSshd({ allowTcpForwarding: false }));
    const target = cleanups.add(await startTestSshd());
    writeJumpHostSetup(jump, target);
    const error = await rejectionOf(
      connectSsh(await resolveTestHost(target, 'target'), await testDeps(target)),
    );
    expect(error).toMatchObject({ kind: 'jump_failed' });
    expect(error.message).toContain('jumphost');
    expect(error.message).toMatch(/prohibited/i);
  });

  it('an unreachable jump host is jump_failed, with the cause', async () => {
    const jump = cleanups.add(await startTestSshd());
    const target = cleanups.add(await startTestSshd());
    writeJumpHostSetup(jump, target);
    await jump.stop();
    const error = await rejectionOf(
      connectSsh(await resolveTestHost(target, 'target'), await testDeps(target)),
    );
    expect(error).toMatchObject({ kind: 'jump_failed' });
    expect(error.message).toContain('jumphost');
    expect((error as SshError).cause).toMatchObject({ kind: 'connection_refused' });
  });

  it('a port nobody listens on is connection_refused', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const port = await freePort();
    const target = { ...(await resolveTestHost(sshd)), port };
    const error = await rejectionOf(connectSsh(target, await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'connection_refused' });
    expect(error.message).toContain(`127.0.0.1 port ${port}`);
  });

  it('a server that never answers is timeout', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    proxy.blackhole(true);
    const target = { ...(await resolveTestHost(sshd)), port: proxy.port };
    const error = await rejectionOf(connectSsh(target, await testDeps(sshd, { timeoutMs: 1500 })));
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(proxy.accepted).toBe(1);
  });

  it('a name the resolver does not know is host_not_found', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const target = { ...(await resolveTestHost(sshd)), hostName: 'no-such-host.invalid' };
    const error = await rejectionOf(connectSsh(target, await testDeps(sshd)));
    expect(error).toMatchObject({ kind: 'host_not_found' });
    expect(error.message).toContain('no-such-host.invalid');
  });

  it('a stalled connection is found by keepalives: connection_lost', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    const target = {
      ...(await resolveTestHost(sshd, 'viaproxy')),
      serverAliveIntervalS: 1,
      serverAliveCountMax: 2,
    };
    const link = cleanups.add(await connectSsh(target, await testDeps(sshd)));
    expect((await runOver(link, 'echo ok')).stdout).toBe('ok\n');
    const reason = new Promise<SshError | null>((resolve) => link.onClose(resolve));
    proxy.stall();
    const closed = await reason;
    expect(closed).toMatchObject({ kind: 'connection_lost' });
    expect(closed?.message).toContain('stopped answering');
  });
});
