/**
 * A shell's exit, told once to every listener: those already listening when
 * it happens, and those that come later (in a microtask, like an event).
 */
import type { ShellExit } from './backend';

export class ExitOnce {
  private exit: ShellExit | undefined;
  private readonly listeners = new Set<(exit: ShellExit) => void>();

  /** The exit, once it happened. */
  get value(): ShellExit | undefined {
    return this.exit;
  }

  on(listener: (exit: ShellExit) => void): () => void {
    const exit = this.exit;
    if (exit) {
      queueMicrotask(() => listener(exit));
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell every listener; a second call does nothing. */
  fire(exit: ShellExit): void {
    if (this.exit) return;
    this.exit = exit;
    for (const listener of this.listeners) listener(exit);
    this.listeners.clear();
  }
}
