/**
 * What the session manager is built from and whom it tells: its options and
 * events, in a module of their own so that the manager's parts (shells,
 * recovery) can name them without importing the manager.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { BlockInfo, SessionInfo } from '../../preload/contract';
import type { ShellBackend } from '../backends/backend';
import type { ShellChoice } from '../backends/login-shell';
import type { Logger } from '../log';
import type { ZoneOptions } from '../terminals/zone';
import type { MirrorPool } from './mirror/mirror-pool';
import type { IdlePolicy } from './session-info';

/** What the manager tells every window: a session changed or went, a block was detached. */
export type SessionEvents = {
  changed(session: SessionInfo): void;
  removed(sessionId: string): void;
  blockChanged(block: BlockInfo): void;
};

export type SessionManagerOptions = {
  db: Kysely<Database>;
  /** New shells on `local` (tmux where it can be used, else pty). */
  backend: ShellBackend;
  /** Shells on every other connection (SSH); without it only `local` can be used. */
  remote?: ShellBackend;
  /** Other backends whose shells may still run from an earlier start (tmux, when pty is chosen now). */
  recoverable?: ShellBackend[];
  mirrors: MirrorPool;
  shell: () => ShellChoice;
  cwd: string;
  env: () => Record<string, string>;
  log: Logger;
  events: SessionEvents;
  zone?: Partial<Omit<ZoneOptions, 'onPressure'>>;
  idle?: Partial<IdlePolicy>;
  now?: () => number;
  /** Wait after exit for trailing output before reporting it (node-pty may exit first). */
  exitSettleMs?: number;
  /** How often activity times are written (they change on every keystroke). */
  activityWriteMs?: number;
  /** Bytes of output any shell printed (counted toward giving memory back after a flood). */
  onOutput?: (bytes: number) => void;
};
