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
  settings: SettingsTable;
  tabs: TabsTable;
}

export type BlockRow = Selectable<BlocksTable>;
export type NewBlock = Insertable<BlocksTable>;
export type BlockUpdate = Updateable<BlocksTable>;

export type SettingRow = Selectable<SettingsTable>;
export type NewSetting = Insertable<SettingsTable>;
export type SettingUpdate = Updateable<SettingsTable>;

export type TabRow = Selectable<TabsTable>;
export type NewTab = Insertable<TabsTable>;
export type TabUpdate = Updateable<TabsTable>;
