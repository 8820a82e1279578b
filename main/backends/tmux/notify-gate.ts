/**
 * Keeps tmux's session-wide notifications away from control clients that are
 * still attaching. tmux up to 3.5 sends some notifications (%sessions-changed,
 * %client-detached, %session-renamed...) to every control client, including
 * one whose identify messages are only half read, and crashes its server doing
 * so (a NULL control state; fixed upstream by "Do not notify clients if not
 * fully initialized", tmux GitHub issue 4980). Measured here: 50 sessions
 * started at once on a host's tmux 3.3a crashed its server within seconds.
 *
 * So attaches are `shared` (any number at once; they are safe with each
 * other) and what makes such a notification (a new, killed or renamed
 * session, a client leaving) is `exclusive`: it waits until no client is
 * attaching, and attaches wait for it.
 */
type Waiter = { exclusive: boolean; start: () => void };

export class NotifyGate {
  private sharing = 0;
  private holding = false;
  private readonly waiting: Waiter[] = [];

  /** Hold while a control client attaches; the returned function releases it (once). */
  shared(): Promise<() => void> {
    return this.enter(false);
  }

  /** Hold while doing something that notifies every control client. */
  exclusive(): Promise<() => void> {
    return this.enter(true);
  }

  private enter(exclusive: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      const start = () => {
        if (exclusive) this.holding = true;
        else this.sharing += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          if (exclusive) this.holding = false;
          else this.sharing -= 1;
          this.next();
        });
      };
      // In arrival order: a waiting exclusive holder is not overtaken by later attaches.
      if (this.waiting.length === 0 && this.free(exclusive)) start();
      else this.waiting.push({ exclusive, start });
    });
  }

  private free(exclusive: boolean): boolean {
    return exclusive ? !this.holding && this.sharing === 0 : !this.holding;
  }

  private next(): void {
    while (this.waiting.length > 0 && this.free(this.waiting[0]!.exclusive)) {
      this.waiting.shift()!.start();
    }
  }
}

/** tmux commands whose effect is told to every control client. */
const NOTIFYING = new Set([
  'new-session',
  'new',
  'kill-session',
  'rename-session',
  'rename',
  'detach-client',
  'detach',
  'kill-server',
  'switch-client',
]);

/** Whether a tmux command line (its words) makes a notification to every control client. */
export function notifiesEveryone(argv: readonly string[]): boolean {
  return argv.some((word) => NOTIFYING.has(word));
}
