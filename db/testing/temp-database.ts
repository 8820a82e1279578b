/**
 * Test fixture: a real SQLite database in a fresh temp directory for each
 * test, migrated to the latest schema, closed and removed afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../open-database';
import type { Database } from '../schema';

/** Registers the hooks; call the returned function inside a test for the current database. */
export function useTempDatabase(): () => Kysely<Database> {
  let directory = '';
  let opened: OpenedDatabase | undefined;
  beforeEach(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-db-'));
    opened = await openDatabase(path.join(directory, 'tether.db'));
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    fs.rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    if (!opened) throw new Error('useTempDatabase: no database outside a test');
    return opened.db;
  };
}
