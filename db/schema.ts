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
}

export interface SettingsTable {
  key: string;
  // JSON text; repositories/settings parses it.
  value: string;
  updatedAt: number;
}

export interface Database {
  blocks: BlocksTable;
  settings: SettingsTable;
}

export type BlockRow = Selectable<BlocksTable>;
export type NewBlock = Insertable<BlocksTable>;
export type BlockUpdate = Updateable<BlocksTable>;

export type SettingRow = Selectable<SettingsTable>;
export type NewSetting = Insertable<SettingsTable>;
export type SettingUpdate = Updateable<SettingsTable>;
