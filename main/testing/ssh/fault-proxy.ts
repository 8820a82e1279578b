/**
 * A TCP proxy on 127.0.0.1 in front of a test server (a test sshd), for
 * network faults the tests switch on and off:
 *
 * - stall(): nothing is forwarded either way, but the sockets stay open and
 *   what arrives is held (read into the proxy's buffers, then the kernel's by
 *   backpressure), never dropped; release() forwards it in order and resumes.
 * - cut(): every current connection ends with a TCP reset, on both sides.
 * - refuse(true): the port stops listening (connection refused) until refuse(false).
 * - blackhole(true): new connections are accepted and then never answered
 *   nor forwarded, as a server that hangs before its banner (timeouts).
 *
 * The target must be a loopback address: tests never leave this machine.
 */
import { createServer, isIP, connect, type Server, type Socket } from 'node:net';

export type FaultProxyOptions = {
  targetPort: number;
  /** A loopback IP literal (default 127.0.0.1); no name is ever resolved. */
  targetHost?: string;
};

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  const loopback =
    (isIP(targetHost) === 4 && targetHost.startsWith('127.')) || targetHost === '::1';
  if (!loopback) throw new Error(`the fault proxy only forwards to loopback, not ${targetHost}`);
  const proxy = new FaultProxy(targetHost, options.targetPort);
  await proxy.listen(0);
  return proxy;
}

/** One accepted connection: the client's socket, and the target's unless blackholed. */
type Connection = {
  client: Socket;
  upstream: Socket | undefined;
  /** Directions waiting for the receiving socket to drain; stall or not, they stay paused. */
  waitingForDrain: Set<Socket>;
};

export class FaultProxy {
  readonly host = '127.0.0.1';
  port = 0;
  /** Connections accepted since the start, blackholed ones included. */
  accepted = 0;
  private server: Server | undefined;
  private readonly open = new Set<Connection>();
  private stalled = false;
  private blackholing = false;
  private closed = false;

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  /** Connections open now. */
  get connections(): number {
    return this.open.size;
  }

  /** Bytes the proxy has read and not forwarded yet (held while stalled). */
  get heldBytes(): number {
    let total = 0;
    for (const connection of this.open) {
      total += connection.client.readableLength + (connection.upstream?.readableLength ?? 0);
    }
    return total;
  }

  stall(): void {
    this.stalled = true;
    for (const connection of this.open) {
      connection.client.pause();
      connection.upstream?.pause();
    }
  }

  release(): void {
    this.stalled = false;
    for (const connection of this.open) {
      if (!connection.upstream) continue;
      for (const from of [connection.client, connection.upstream]) {
        if (!connection.waitingForDrain.has(from)) from.resume();
      }
    }
  }

  /** A TCP reset on every current connection, to the client and to the target. */
  cut(): void {
    for (const connection of this.open) {
      connection.client.resetAndDestroy();
      connection.upstream?.resetAndDestroy();
    }
    this.open.clear();
  }

  /** Stop listening (new connections are refused) or listen again on the same port. */
  async refuse(on: boolean): Promise<void> {
    if (on) {
      const server = this.server;
      this.server = undefined;
      await new Promise<void>((resolve) => {
        // The callback waits for open connections, which refusing keeps.
        server?.close();
        setImmediate(resolve);
      });
    } else if (!this.server) {
      await this.listen(this.port);
    }
  }

  /** Accept new connections and never answer them (current ones are not affected). */
  blackhole(on: boolean): void {
    this.blackholing = on;
  }

  /** Destroy every connection and stop listening. */
  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.open) {
      connection.client.destroy();
      connection.upstream?.destroy();
    }
    this.open.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Called by startFaultProxy and refuse(false). */
  listen(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) =>
      this.accept(client),
    );
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port, exclusive: true }, () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address !== 'string') this.port = address.port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    if (this.closed) {
      client.destroy();
      return;
    }
    const connection: Connection = { client, upstream: undefined, waitingForDrain: new Set() };
    this.open.add(connection);
    client.on('close', () => this.open.delete(connection));
    if (this.blackholing) {
      // Never read: what the client sends waits in the kernel.
      client.pause();
      client.on('error', () => {});
      return;
    }
    const upstream = connect({
      host: this.targetHost,
      port: this.targetPort,
      allowHalfOpen: true,
      noDelay: true,
    });
    connection.upstream = upstream;
    this.pipe(connection, client, upstream);
    this.pipe(connection, upstream, client);
    if (this.stalled) {
      client.pause();
      upstream.pause();
    }
  }

  /** Forward one direction with backpressure, half-closes, and resets passed on as resets. */
  private pipe(connection: Connection, from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return;
      from.pause();
      connection.waitingForDrain.add(from);
      to.once('drain', () => {
        connection.waitingForDrain.delete(from);
        if (!this.stalled) from.resume();
      });
    });
    from.on('end', () => to.end());
    from.on('error', (error: NodeJS.ErrnoException) => {
      if (to.destroyed) return;
      if (error.code === 'ECONNRESET') to.resetAndDestroy();
      else to.destroy();
    });
    from.on('close', (hadError) => {
      if (to.destroyed) return;
      if (hadError) to.destroy();
      else to.end();
    });
  }
}
