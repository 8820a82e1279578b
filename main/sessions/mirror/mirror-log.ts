/**
 * What the mirrors' back-pressure says in the log: once when it starts for a
 * session, then one summary per 10 s while it goes on (log-digest.ts), in
 * words that say what happened. Letting a flood go is normal work (debug);
 * holding a shell back is worth knowing (info); a failed rebuild is a warning.
 */
import type { Logger } from '../../log';
import { LogDigest } from '../../log-digest';
import type { MirrorHooks } from './mirror-pool';

const MiB = 1024 * 1024;

export class MirrorLog {
  private readonly skipped: LogDigest;
  private readonly held: LogDigest;
  private readonly failed: LogDigest;
  private readonly skippedBytes = new Map<string, number>();

  constructor(log: Logger) {
    this.skipped = new LogDigest(
      log,
      'debug',
      (id) =>
        `session ${id}: a flood outran its mirror; the mirror lets it go and is rebuilt from tmux's screen when needed`,
      (id, count, seconds) =>
        `session ${id}: the mirror let ${this.takeSkipped(id)} MiB of output go in the last ${seconds} s (${count} chunks), to be rebuilt from tmux`,
    );
    this.held = new LogDigest(
      log,
      'info',
      (id, detail) =>
        `session ${id}: its mirror is ${detail} MiB behind; the shell is held back until it catches up`,
      (id, count, seconds) =>
        `session ${id}: the shell was held back for its mirror ${count} more times in the last ${seconds} s`,
    );
    this.failed = new LogDigest(
      log,
      'warn',
      (id, detail) =>
        `session ${id}: its mirror could not be rebuilt from tmux (${detail}); attaching shows the replay instead`,
      (id, count, seconds) =>
        `session ${id}: its mirror could not be rebuilt ${count} more times in the last ${seconds} s`,
    );
  }

  /** The logging part of a session's mirror hooks. */
  hooksFor(id: string): Required<Pick<MirrorHooks, 'behind' | 'rebuildFailed'>> {
    return {
      behind: (what, bytes) => {
        if (what === 'held') return this.held.note(id, (bytes / MiB).toFixed(1));
        this.skippedBytes.set(id, (this.skippedBytes.get(id) ?? 0) + bytes);
        this.skipped.note(id);
      },
      rebuildFailed: (error) =>
        this.failed.note(id, error instanceof Error ? error.message : String(error)),
    };
  }

  dispose(): void {
    for (const digest of [this.skipped, this.held, this.failed]) digest.dispose();
  }

  private takeSkipped(id: string): string {
    const bytes = this.skippedBytes.get(id) ?? 0;
    this.skippedBytes.delete(id);
    return (bytes / MiB).toFixed(1);
  }
}
