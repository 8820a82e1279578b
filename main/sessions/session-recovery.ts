/**
 * Start-up: every session the database says is alive is asked of its backend.
 * A shell that outlived the app (tmux) is re-joined and stays `running`, same
 * id, same shell; one that is gone is `done`, with the backend's reason (a pty
 * shell, which ends with the app, says so). Nothing is guessed from the app
 * having restarted. A tmux session on an SSH host is not asked here (that
 * would wait for a link, maybe a login prompt): it is `disconnected` until
 * its host answers.
 */
import { isGone, type Gone, type ShellProcess } from '../backends/backend';
import type { LifecycleEvent } from './lifecycle';
import type { LiveSession } from './live-session';
import { lifecycleEventForLostShell } from './session-rules';
import type { SessionShells } from './session-shells';
import type { SessionUpdate } from '../../db/schema';
import type { Logger } from '../log';

export type RecoveryHost = {
  shells: SessionShells;
  log: Logger;
  transition(live: LiveSession, event: LifecycleEvent, patch: SessionUpdate): Promise<boolean>;
};

/** Re-join or end every session that is not done; all backends are asked at once. */
export async function recoverSessions(
  host: RecoveryHost,
  sessions: readonly LiveSession[],
): Promise<{ recovered: number; gone: number }> {
  const waiting = sessions.filter((live) => live.row.status !== 'done');
  const answers = await Promise.all(waiting.map((live) => ask(host, live)));
  let recovered = 0;
  for (const [index, live] of waiting.entries()) {
    const answer = answers[index]!;
    if (isGone(answer)) {
      await host.transition(live, lifecycleEventForLostShell(live.row.status), {
        doneReason: answer.reason,
        exitCode: answer.exitCode ?? null,
      });
      continue;
    }
    // A shell on a host is re-joined once the host answers: `disconnected` until then.
    await host.shells.adoptShell(live, answer, 'recovered');
    recovered += 1;
  }
  return { recovered, gone: waiting.length - recovered };
}

async function ask(host: RecoveryHost, live: LiveSession): Promise<ShellProcess | Gone> {
  const backend = host.shells.backendOf(live);
  const ref = live.row.backendRef;
  if (!backend) {
    return { state: 'gone', reason: `Its ${live.row.backend} shell cannot be reached any more.` };
  }
  if (!ref) return { state: 'gone', reason: 'Its shell had not started when Tether stopped.' };
  try {
    // Asked twice: one failed query (a timeout under load) must not end a living shell.
    return await backend
      .recover(ref, host.shells.spec(live))
      .catch(() => backend.recover(ref, host.shells.spec(live)));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    host.log.warn(`session ${live.row.id}: could not be recovered: ${why}`);
    return { state: 'gone', reason: `Its shell could not be re-joined: ${why}` };
  }
}
