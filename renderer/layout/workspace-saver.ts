/**
 * Writes the workspace to the core: structural changes (a new block, a closed
 * tab) at once, cosmetic ones (a divider drag, a focus move) after a quiet
 * spell, so a drag costs a handful of writes rather than one per pixel. One
 * save is in flight at a time and only the newest state is ever sent, so
 * saves reach the core in order and a stale one never lands last.
 */
import type { Workspace } from '../../preload/layout';

export type SaverOptions = {
  send(workspace: Workspace): Promise<void>;
  onError(error: unknown): void;
  /** Quiet time before a cosmetic change is written. */
  debounceMs?: number;
};

export class WorkspaceSaver {
  private latest: Workspace | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly debounceMs: number;
  private readonly idleWaiters: (() => void)[] = [];
  private disposed = false;

  constructor(private readonly options: SaverOptions) {
    this.debounceMs = options.debounceMs ?? 400;
  }

  /** Remember `workspace` as the state to write; `urgent` writes it without waiting. */
  schedule(workspace: Workspace, urgent: boolean): void {
    if (this.disposed) return;
    this.latest = workspace;
    if (urgent) {
      this.flush();
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.debounceMs);
  }

  /** Write the newest state now (after the save in flight, if any). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight || this.latest === null) return;
    const workspace = this.latest;
    this.latest = null;
    this.inFlight = this.options
      .send(workspace)
      .catch((error: unknown) => {
        if (!this.disposed) this.options.onError(error);
      })
      .finally(() => {
        this.inFlight = null;
        if (this.latest !== null && this.timer === null) this.flush();
        else if (!this.pending()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
      });
  }

  /** Whether some state has not been written yet. */
  pending(): boolean {
    return this.latest !== null || this.inFlight !== null;
  }

  /** Resolves once everything scheduled so far has been written (or failed). */
  idle(): Promise<void> {
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.latest = null;
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }
}
