/**
 * The contract between the renderer and the core: every request (its payload
 * schema and reply type) and every event, declared once. The Electron binding
 * (ipcMain + preload) and the browser-mode WebSocket binding are both derived
 * from these tables, so a name or a type cannot drift between the sides.
 *
 * Payload schemas are zod schemas: main validates every payload at runtime
 * before use. Replies and events are trusted (they come from main), so they
 * are plain types.
 */
import { z } from 'zod';
import type { Workspace } from './layout';

/** A phantom marker carrying a type, with no runtime value. */
type Phantom<T> = { readonly __type?: T };
const phantom = <T>(): Phantom<T> => ({});

function request<P extends z.ZodType, R>(payload: P, _reply: Phantom<R>) {
  return { payload, reply: _reply };
}
function event<T>(): Phantom<T> {
  return phantom<T>();
}

// ---------- shared value types ----------

/** Ids are uuids minted by main; anything else is rejected before lookup. */
const Id = z.uuid();
/** Terminal sizes a real screen can have; xterm.js itself caps at 2000×1000-ish. */
const Cols = z.number().int().min(2).max(2000);
const Rows = z.number().int().min(1).max(1000);
/** One write of user input (a paste included) is capped so a runaway paste can't exhaust memory. */
export const MAX_INPUT_CHARS = 1 << 20;

export type BlockInfo = {
  id: string;
  connection: string;
  createdAt: number;
};

/** What a shell is doing right now. */
export type TerminalState =
  | { status: 'running'; pid: number; shell: string }
  | { status: 'exited'; exitCode: number | null; signal: number | null; shell: string };

export type AttachReply = {
  /** The output stream this block now follows. */
  zone: string;
  /** Recent output to paint before live chunks (raw terminal bytes). */
  snapshot: Uint8Array;
  /** Stream offset the snapshot ends at; live chunks continue from here. */
  offset: number;
  state: TerminalState;
};

/** The saved workspace and its blocks, repaired where the stored copy was unusable. */
export type WorkspaceReply = {
  workspace: Workspace;
  /** Every block the workspace's layouts name. */
  blocks: BlockInfo[];
  /** What had to be repaired (a tab reset to one block, say), for the user to read. */
  warnings: string[];
};

export type Notice = {
  level: 'info' | 'warning' | 'error';
  message: string;
};

export type AppInfo = {
  version: string;
  mode: 'electron' | 'browser';
  dataDir: string;
  platform: string;
  notices: Notice[];
};

export type OutputEvent = {
  zone: string;
  /** Stream offset of data[0]; the first chunk after attach starts at AttachReply.offset. */
  offset: number;
  data: Uint8Array;
};

export type StateEvent = { zone: string; state: TerminalState };

// ---------- the tables ----------

export const requests = {
  /** Version, mode, data directory and start-up notices (e.g. a DB moved aside). */
  appInfo: request(z.object({}).strict(), phantom<AppInfo>()),
  /** The workspace (tabs and layouts) as last saved, with its blocks; never empty. */
  loadWorkspace: request(z.object({}).strict(), phantom<WorkspaceReply>()),
  /**
   * Store the workspace. Its layouts are the truth about which blocks exist:
   * every block they name must have been created, and a block they no longer
   * name is closed (its shell ends). Checked by `parseWorkspace`.
   */
  saveWorkspace: request(z.object({ workspace: z.unknown() }).strict(), phantom<void>()),
  /** A new block, to be placed in a layout by the next saveWorkspace. */
  createBlock: request(z.object({ connection: z.literal('local') }).strict(), phantom<BlockInfo>()),
  /** Follow a block's terminal, starting its shell if none runs. */
  attachBlock: request(
    z.object({ blockId: Id, cols: Cols, rows: Rows }).strict(),
    phantom<AttachReply>(),
  ),
  /** Start a fresh shell for a block whose shell has exited or failed. */
  restartBlock: request(
    z.object({ blockId: Id, cols: Cols, rows: Rows }).strict(),
    phantom<AttachReply>(),
  ),
  /** Stop following a zone (the shell keeps running). */
  detachZone: request(z.object({ zone: Id }).strict(), phantom<void>()),
  /**
   * Send user input (keys, pastes) to the shell behind a zone. `binary` input
   * (legacy mouse reports) is a string of byte values, sent as those bytes.
   */
  writeZone: request(
    z
      .object({ zone: Id, data: z.string().max(MAX_INPUT_CHARS), binary: z.boolean().optional() })
      .strict(),
    phantom<void>(),
  ),
  /** Resize the shell behind a zone. */
  resizeZone: request(z.object({ zone: Id, cols: Cols, rows: Rows }).strict(), phantom<void>()),
  /** Acknowledge output bytes painted, for flow control. */
  ackZone: request(
    z
      .object({
        zone: Id,
        bytes: z
          .number()
          .int()
          .min(1)
          .max(1 << 30),
      })
      .strict(),
    phantom<void>(),
  ),
};

export const events = {
  /** Output of a zone, batched; offsets are contiguous per zone. */
  zoneOutput: event<OutputEvent>(),
  /** A zone's shell changed state (exited, failed, restarted). */
  zoneState: event<StateEvent>(),
  /** Something the user should read. */
  notice: event<Notice>(),
};

export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
export type Payload<K extends RequestName> = z.infer<(typeof requests)[K]['payload']>;
export type Reply<K extends RequestName> =
  (typeof requests)[K]['reply'] extends Phantom<infer R> ? R : never;
export type EventPayload<K extends EventName> =
  (typeof events)[K] extends Phantom<infer T> ? T : never;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

/** Electron IPC channel of a request or event; the only place channel names are made. */
export const requestChannel = (name: RequestName) => `tether:request:${name}`;
export const eventChannel = (name: EventName) => `tether:event:${name}`;

/** Error codes a request can fail with; the UI branches on these, never on messages. */
export type ErrorCode =
  | 'invalid_payload'
  | 'unknown_request'
  | 'not_found'
  | 'shell_not_found'
  | 'spawn_failed'
  | 'not_running'
  /** The database could not be read or written; nothing of the request was stored. */
  | 'storage_failed'
  | 'internal';

export type WireError = { code: ErrorCode; message: string };
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The bridge both bindings expose to the renderer: one function per entry. */
export type Bridge = {
  requests: { [K in RequestName]: (payload: Payload<K>) => Promise<Result<Reply<K>>> };
  events: {
    [K in EventName]: (listener: (payload: EventPayload<K>) => void) => () => void;
  };
};
