/**
 * Fixtures a test started, stopped in afterEach even when the test failed:
 *
 *   const cleanups = new Cleanups();
 *   afterEach(() => cleanups.run());
 *   const sshd = cleanups.add(await startTestSshd());
 */
export type Stoppable = { stop(): Promise<void> | void } | { close(): Promise<void> | void };

export class Cleanups {
  private readonly stack: Stoppable[] = [];

  add<T extends Stoppable>(fixture: T): T {
    this.stack.push(fixture);
    return fixture;
  }

  /** Stop everything, newest first; report the first failure after trying them all. */
  async run(): Promise<void> {
    let failure: unknown;
    for (const fixture of this.stack.splice(0).reverse()) {
      try {
        await ('stop' in fixture ? fixture.stop() : fixture.close());
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
