/**
 * The connect timeout of one SSH connection attempt: it covers the network
 * (resolve, TCP, handshake, login round trips) and stops while a prompt waits
 * for the person.
 */
import { SshError } from './ssh-errors';

/** The connect timeout: stopped while a prompt waits for the person. */
export class Timer {
  expired = false;
  private handle: NodeJS.Timeout | undefined;
  private left: number;
  private startedAt = 0;
  private paused = 0;
  private readonly listeners: (() => void)[] = [];

  constructor(
    ms: number,
    private readonly where: string,
  ) {
    this.left = ms;
    this.run();
  }

  error(): SshError {
    return new SshError(
      'timeout',
      `no answer from ${this.where}: the connection timed out (is the host up, is the port right?)`,
    );
  }

  onExpire(listener: () => void): void {
    this.listeners.push(listener);
  }

  async whilePrompting<T>(ask: () => Promise<T>): Promise<T> {
    if (this.paused++ === 0 && this.handle) {
      clearTimeout(this.handle);
      this.handle = undefined;
      this.left -= Date.now() - this.startedAt;
    }
    try {
      return await ask();
    } finally {
      if (--this.paused === 0 && !this.expired && this.left !== Infinity) this.run();
    }
  }

  stop(): void {
    clearTimeout(this.handle);
    this.handle = undefined;
    this.left = Infinity;
  }

  private run(): void {
    if (this.left === Infinity) return;
    this.startedAt = Date.now();
    this.handle = setTimeout(
      () => {
        this.expired = true;
        for (const listener of this.listeners.splice(0)) listener();
      },
      Math.max(0, this.left),
    );
  }
}
