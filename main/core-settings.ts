/**
 * Settings the core reads at start-up (the settings table, then environment
 * variables): which backends run sessions, tmux's history, the reaper's idle
 * deadlines, and this installation's id. A value that is missing or unsound
 * is left out, so the default applies.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { getSetting, setSetting } from '../db/repositories/settings';
import type { Database } from '../db/schema';
import type { IdlePolicy } from './sessions/session-info';

type Db = Kysely<Database>;

export type SessionSettings = {
  localBackend?: 'auto' | 'tmux' | 'pty';
  sshBackend?: 'auto' | 'plain';
  tmuxHistoryLimit?: number;
  /** `idleNamedHours`, `idleAnonymousHours`: how long an unshown session lives (local or remote). */
  idle: Partial<IdlePolicy>;
};

const HOUR_MS = 60 * 60 * 1000;

export async function readSessionSettings(db: Db): Promise<SessionSettings> {
  const read = (key: string) => getSetting<unknown>(db, key).catch(() => undefined);
  const [backend, ssh, limit, named, anonymous] = await Promise.all([
    read('localBackend'),
    read('sshBackend'),
    read('tmuxHistoryLimit'),
    read('idleNamedHours'),
    read('idleAnonymousHours'),
  ]);
  const idle: Partial<IdlePolicy> = {};
  if (isHours(named)) idle.namedMs = named * HOUR_MS;
  if (isHours(anonymous)) idle.anonymousMs = anonymous * HOUR_MS;
  return {
    localBackend: isLocalBackend(backend) ? backend : undefined,
    sshBackend: isSshBackend(ssh) ? ssh : undefined,
    tmuxHistoryLimit:
      typeof limit === 'number' && Number.isInteger(limit) && limit >= 100 && limit <= 1_000_000
        ? limit
        : undefined,
    idle,
  };
}

/** This installation's id (made once): written on the tmux sessions it makes on hosts. */
export async function installId(db: Db): Promise<string> {
  const stored = await getSetting<unknown>(db, 'installId').catch(() => undefined);
  if (typeof stored === 'string' && /^[0-9a-f-]{36}$/.test(stored)) return stored;
  const made = randomUUID();
  await setSetting(db, 'installId', made).catch(() => undefined);
  return made;
}

export function localBackendFromEnv(): 'auto' | 'tmux' | 'pty' | undefined {
  const value = process.env.TETHER_LOCAL_BACKEND;
  return isLocalBackend(value) ? value : undefined;
}

export function sshBackendFromEnv(): 'auto' | 'plain' | undefined {
  const value = process.env.TETHER_SSH_BACKEND;
  return isSshBackend(value) ? value : undefined;
}

function isLocalBackend(value: unknown): value is 'auto' | 'tmux' | 'pty' {
  return value === 'auto' || value === 'tmux' || value === 'pty';
}

function isSshBackend(value: unknown): value is 'auto' | 'plain' {
  return value === 'auto' || value === 'plain';
}

/** Between a minute and a year. */
function isHours(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isFinite(value) && value >= 1 / 60 && value <= 24 * 366
  );
}
