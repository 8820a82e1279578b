/**
 * The fault proxy with real traffic: OpenSSH's client through it to a test
 * sshd (forwarded, stalled and released, cut, refused, blackholed), and raw
 * bytes through it to an echo server (nothing lost or reordered by a stall,
 * half-closes passed on).
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanups } from './cleanups';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { writeProxySetup } from './host-setups';
import { runSsh, SshSession } from './openssh-client';
import { startTestSshd } from './test-sshd';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** A test sshd, a proxy in front of it, and "viaproxy" in the test HOME's config. */
async function sshdBehindProxy() {
  const sshd = cleanups.add(await startTestSshd());
  const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
  writeProxySetup(sshd, proxy.port);
  return { sshd, proxy, options: { configPath: sshd.clientConfigPath } };
}

/** Poll a condition that other processes make true; the limit only ends a broken test. */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ECHO_LOOP = 'echo ready; while read line; do echo "echo:$line"; done';

describe('fault proxy in front of a test sshd', () => {
  it('forwards an ssh session', async () => {
    const { proxy, options } = await sshdBehindProxy();
    const result = await runSsh(['viaproxy', 'echo hello-$((1+1))'], options);
    expect(result).toMatchObject({ code: 0, stdout: 'hello-2\n' });
    expect(proxy.accepted).toBe(1);
  });

  it('stall holds a round trip until release, then it completes', async () => {
    const { proxy, options } = await sshdBehindProxy();
    const session = cleanups.add(new SshSession(['-T', 'viaproxy', ECHO_LOOP], options));
    await session.untilOutput(/ready/);
    session.write('one\n');
    await session.untilOutput(/echo:one/);
    expect(proxy.connections).toBe(1);

    proxy.stall();
    session.write('two\n');
    // The line reached the proxy and waits there: it cannot have been answered.
    await until(() => proxy.heldBytes > 0, 'the proxy to hold the line');
    expect(session.stdout).not.toContain('echo:two');

    proxy.release();
    await session.untilOutput(/echo:two/);
    session.write('three\n');
    await session.untilOutput(/echo:three/);
  });

  it('cut resets the connection and the ssh client exits with an error', async () => {
    const { sshd, proxy, options } = await sshdBehindProxy();
    const session = cleanups.add(new SshSession(['-T', 'viaproxy', ECHO_LOOP], options));
    await session.untilOutput(/ready/);

    proxy.cut();
    const ended = await session.exited;
    expect(ended.code).toBe(255);
    expect(session.stderr).toMatch(/reset by peer|Broken pipe|closed/);
    expect(proxy.connections).toBe(0);
    // The server side was reset too, not closed.
    await until(() => sshd.log().includes('Connection reset by peer'), 'sshd to see the reset');
  });

  it('refuse makes connections fail with "refused" until it is lifted', async () => {
    const { proxy, options } = await sshdBehindProxy();
    await proxy.refuse(true);
    const refused = await runSsh(['viaproxy', 'true'], options);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toContain('Connection refused');

    await proxy.refuse(false);
    const result = await runSsh(['viaproxy', 'echo hello-$((1+1))'], options);
    expect(result).toMatchObject({ code: 0, stdout: 'hello-2\n' });
  });

  it('blackhole makes the ssh client time out waiting for the server', async () => {
    const { proxy, options } = await sshdBehindProxy();
    proxy.blackhole(true);
    const result = await runSsh(['-o', 'ConnectTimeout=2', 'viaproxy', 'true'], options);
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/timed out/);
    expect(proxy.accepted).toBe(1);
  });
});

describe('fault proxy with raw bytes', () => {
  async function echoServer(): Promise<Server & { port: number }> {
    const server = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    cleanups.add({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    return Object.assign(server, { port: address.port });
  }

  async function client(proxy: FaultProxy): Promise<{ socket: Socket; received: Buffer[] }> {
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    cleanups.add({ close: () => void socket.destroy() });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    return { socket, received };
  }

  const total = (chunks: Buffer[]) => chunks.reduce((sum, chunk) => sum + chunk.length, 0);

  it('a stall holds a megabyte and release delivers it whole and in order', async () => {
    const server = await echoServer();
    const proxy = cleanups.add(await startFaultProxy({ targetPort: server.port }));
    const { socket, received } = await client(proxy);
    const data = randomBytes(1024 * 1024);
    const half = data.length / 2;

    socket.write(data.subarray(0, half));
    await until(() => total(received) === half, 'the first half to come back');

    proxy.stall();
    socket.write(data.subarray(half));
    await until(() => proxy.heldBytes > 0, 'the proxy to hold the second half');
    expect(total(received)).toBe(half);

    proxy.release();
    const ended = new Promise((resolve) => socket.once('end', resolve));
    socket.end();
    await ended;
    expect(Buffer.concat(received).equals(data)).toBe(true);
  });

  it('refuses a target that is not loopback', async () => {
    await expect(startFaultProxy({ targetHost: '10.0.0.1', targetPort: 22 })).rejects.toThrow(
      /only forwards to loopback/,
    );
    await expect(startFaultProxy({ targetHost: 'localhost', targetPort: 22 })).rejects.toThrow(
      /only forwards to loopback/,
    );
  });
});
