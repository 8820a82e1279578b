/**
 * The shells of a backend whose shells cannot outlive the app (pty, plain
 * SSH): what this run started is all there is, so a probe answers from it,
 * and an earlier run's shell ended with the app.
 */
import type { Gone, Liveness, ShellProcess } from './backend';

type AppShell = ShellProcess & { isAlive(): boolean };

const GONE = 'The shell is gone.';

export class AppShells<S extends AppShell> {
  private readonly shells = new Map<string, S>();

  /** @param endedWithApp why an earlier run's shell is gone, for people */
  constructor(private readonly endedWithApp: string) {}

  /** Keep a shell until it exits. */
  add(shell: S): S {
    this.shells.set(shell.ref, shell);
    shell.onExit(() => this.shells.delete(shell.ref));
    return shell;
  }

  gone(): Gone {
    return { state: 'gone', reason: this.endedWithApp };
  }

  probe(refs: readonly string[]): Map<string, Liveness> {
    const answers = new Map<string, Liveness>();
    for (const ref of refs) {
      const shell = this.shells.get(ref);
      // Probes concern shells of this run (an earlier run's are recovered, as gone).
      answers.set(ref, shell?.isAlive() ? { state: 'alive' } : { state: 'gone', reason: GONE });
    }
    return answers;
  }

  kill(ref: string): void {
    this.shells.get(ref)?.kill();
  }
}
