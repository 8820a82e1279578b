// Kysely's view of the Tether database. TypeScript sees camelCase; CamelCasePlugin maps it to
// the snake_case columns the migrations create. Migrations never import this file: they describe
// the schema as it was, this describes it as it is now.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface BlocksTable {
  // A uuid chosen by the caller, so a block has an identity before it is ever saved.
  id: string;
  connection: Generated<string>;
  // Milliseconds since the epoch.
  createdAt: number;
  updatedAt: number;
  // The session this block shows, or null. Not a foreign key: it may name a session that is gone,
  // which the consistency checker detaches.
  sessionId: string | null;
}

export type SessionStatus = 'init' | 'running' | 'disconnected' | 'done';

export type SessionBackend = 'pty' | 'tmux' | 'plain';

export interface SessionsTable {
  // A uuid minted by the session manager.
  id: string;
  // Shown when set; unique per connection.
  name: string | null;
  connection: string;
  backend: SessionBackend;
  // Changed only by the session manager, through main/sessions/lifecycle.
  status: SessionStatus;
  // JSON text of the backend's handle on the shell (e.g. pid and start time); the backend parses it.
  backendRef: string | null;
  // Why the session is done, for display and logs.
  doneReason: string | null;
  exitCode: number | null;
  exitSignal: number | null;
  // The first command typed, shown when there is no name.
  topic: string | null;
  cols: number;
  rows: number;
  // Wall-clock milliseconds since the epoch, all of them.
  createdAt: number;
  // Last focus or input.
  lastActiveAt: number;
  lastOutputAt: number | null;
  // When an unattached session gets reaped: a timestamp, never a countdown.
  idleDeadline: number | null;
}

export interface SettingsTable {
  key: string;
  // JSON text; repositories/settings parses it.
  value: string;
  updatedAt: number;
}

export interface TabsTable {
  // A uuid minted by the renderer's layout model.
  id: string;
  // Order in the tab bar, from 0.
  position: number;
  name: string;
  // JSON text of a TabLayout; repositories/tabs leaves checking it to the workspace service.
  layout: string;
  // LAYOUT_VERSION at the time of writing, so a later shape can convert or reset older rows.
  layoutVersion: number;
  createdAt: number;
  updatedAt: number;
}

export interface Database {
  blocks: BlocksTable;
  sessions: SessionsTable;
  settings: SettingsTable;
  tabs: TabsTable;
}

export type BlockRow = Selectable<BlocksTable>;
export type NewBlock = Insertable<BlocksTable>;
export type BlockUpdate = Updateable<BlocksTable>;

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type SessionUpdate = Updateable<SessionsTable>;

export type SettingRow = Selectable<SettingsTable>;
export type NewSetting = Insertable<SettingsTable>;
export type SettingUpdate = Updateable<SettingsTable>;

export type TabRow = Selectable<TabsTable>;
export type NewTab = Insertable<TabsTable>;
export type TabUpdate = Updateable<TabsTable>;
