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
/** A session name as sent; main trims it and checks it with `nameProblem`. */
const Name = z.string().max(256);
/** One write of user input (a paste included) is capped so a runaway paste can't exhaust memory. */
export const MAX_INPUT_CHARS = 1 << 20;
/**
 * Where shells run: `local`, a `~/.ssh/config` Host alias, or `[user@]host[:port]`.
 * Letters, digits and `_ . @ : - % + [ ]` only, never starting with `-` (so it can never
 * be read as an ssh option); checked in full by `connectionProblem` (preload/connection-name.ts).
 */
export const ConnectionName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_.@:%+[\]][A-Za-z0-9_.@:%+[\]-]*$/, 'not a connection name');

export type BlockInfo = {
  id: string;
  connection: string;
  createdAt: number;
  /** The session the block shows, or null when it is detached. */
  sessionId: string | null;
};

/** DESIGN.md §3: init → running ⇄ disconnected → done; only a restart leaves done. */
export type SessionStatus = 'init' | 'running' | 'disconnected' | 'done';

export type SessionInfo = {
  id: string;
  /** Set by the user; unique per connection. */
  name: string | null;
  /** What to show: the name, else the topic, else the first 8 characters of the id. */
  displayName: string;
  connection: string;
  backend: 'pty' | 'tmux' | 'plain';
  /**
   * Why this session's shell does not survive quitting the app (or a lost link), in words
   * for people; null when it does (tmux).
   */
  notDurable: string | null;
  status: SessionStatus;
  /** Why a session is done (the shell exited, the app restarted...), for people. */
  doneReason: string | null;
  exitCode: number | null;
  exitSignal: number | null;
  /** The first command typed, shown when there is no name. */
  topic: string | null;
  /** The shell's size, which follows the block that was active last. */
  cols: number;
  rows: number;
  sizedBy: string | null;
  /** Blocks showing the session, in any window. */
  attachedBlocks: string[];
  createdAt: number;
  lastActiveAt: number;
  lastOutputAt: number | null;
};

/** A session and the last lines of text on its screen, for the picker and the overview. */
export type SessionPeek = SessionInfo & {
  /** Up to the asked number of non-empty lines, oldest first; empty if none could be read in time. */
  peek: string[];
};

/** Lines a peek may ask for: a glance, not a copy of the screen. */
export const MAX_PEEK_LINES = 10;

export type AttachReply = {
  /** The session's output stream, which this block now follows. */
  zone: string;
  /** The session's screen, scrollback and modes, as terminal bytes to paint before live chunks. */
  snapshot: Uint8Array;
  /** Stream offset the snapshot reflects; live chunks continue from here. */
  offset: number;
  session: SessionInfo;
};

/** What the consistency checker found and repaired, since the core started. */
export type CheckerReport = {
  runs: number;
  lastRunAt: number | null;
  lastDurationMs: number | null;
  /** Repairs by kind (e.g. danglingBlock, backendGone, idleReaped), counted over all runs. */
  repairs: Record<string, number>;
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

export type SessionEvent = { session: SessionInfo };

/**
 * The state of a connection's link (DESIGN.md §4). `local` is always `ready`;
 * an SSH connection nothing uses yet is `idle`.
 */
export type LinkState =
  'ready' | 'idle' | 'connecting' | 'connected' | 'stalled' | 'disconnected' | 'error';

export type ConnectionStatus = {
  connection: string;
  state: LinkState;
  /** Why it is disconnected or in error, for people (names the host, says what to do). */
  message: string | null;
  /** disconnected: when the next automatic attempt starts (epoch ms); null when none is planned. */
  retryAt: number | null;
  /** stalled: when the host was last heard from (epoch ms); null otherwise. */
  silentSince: number | null;
};

export type ConnectionInfo = {
  /** What blocks and sessions store (`local`, an alias, or `user@host:port`). */
  name: string;
  kind: 'local' | 'ssh';
  /** Where an SSH connection goes after ~/.ssh/config: `user@hostname:port` (with ` via jump`); null for local. */
  target: string | null;
  /** A Host entry of ~/.ssh/config. */
  fromConfig: boolean;
  /** When a block was last opened on it (epoch ms); null if never. */
  lastUsedAt: number | null;
  status: ConnectionStatus;
};

/** A question the SSH login needs a person to answer, shown in the blocks of that connection. */
export type SshPrompt = {
  id: string;
  connection: string;
  kind: 'hostKey' | 'passphrase' | 'password' | 'keyboardInteractive';
  /** One line: "The authenticity of host [127.0.0.1]:2222 can't be established." */
  title: string;
  /** More text from the server or about the key (keyboard-interactive instructions, key file). */
  detail: string | null;
  /** hostKey only. */
  hostKey?: { host: string; keyType: string; fingerprint: string };
  /** passphrase/password/keyboardInteractive: one field per answer, in order. */
  fields: { label: string; secret: boolean }[];
};

export type PromptAnswer =
  | { kind: 'hostKey'; choice: 'once' | 'save' | 'reject' }
  | { kind: 'secret'; values: string[] }
  | { kind: 'cancel' };

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
  /**
   * A new block, to be placed in a layout by the next saveWorkspace: showing
   * `sessionId` (open in a new pane), else a new session of its own.
   */
  createBlock: request(
    z.object({ connection: ConnectionName, sessionId: Id.optional() }).strict(),
    phantom<BlockInfo>(),
  ),
  /** Follow the session a block shows: its snapshot, then live output. */
  attachBlock: request(
    z.object({ blockId: Id, cols: Cols, rows: Rows }).strict(),
    phantom<AttachReply>(),
  ),
  /** Show another session in a block (on the block's connection), then follow it. */
  attachSession: request(
    z.object({ blockId: Id, sessionId: Id, cols: Cols, rows: Rows }).strict(),
    phantom<AttachReply>(),
  ),
  /** Stop showing a session in a block; the session keeps running. */
  detachBlock: request(z.object({ blockId: Id }).strict(), phantom<BlockInfo>()),
  /** A new shell under a done session (same id), followed by the block. */
  restartSession: request(
    z.object({ sessionId: Id, blockId: Id, cols: Cols, rows: Rows }).strict(),
    phantom<AttachReply>(),
  ),
  /** A new session on a connection, optionally named; nothing shows it yet. */
  createSession: request(
    z.object({ connection: ConnectionName, name: Name.nullable().optional() }).strict(),
    phantom<SessionInfo>(),
  ),
  /** Sessions, most recently active first; only one connection's when given. */
  listSessions: request(
    z.object({ connection: z.string().max(512).optional() }).strict(),
    phantom<SessionInfo[]>(),
  ),
  /**
   * `listSessions` with a peek at each session's last lines, in one call (the picker and
   * the overview never ask per row).
   */
  peekSessions: request(
    z
      .object({
        connection: z.string().max(512).optional(),
        lines: z.number().int().min(1).max(MAX_PEEK_LINES),
      })
      .strict(),
    phantom<SessionPeek[]>(),
  ),
  sessionInfo: request(z.object({ sessionId: Id }).strict(), phantom<SessionInfo>()),
  /** Name a session (null clears it); names are unique per connection. */
  renameSession: request(
    z.object({ sessionId: Id, name: Name.nullable() }).strict(),
    phantom<SessionInfo>(),
  ),
  /** End a session's shell and forget it; blocks showing it become detached. */
  deleteSession: request(z.object({ sessionId: Id }).strict(), phantom<void>()),
  /** A block was focused or typed in: the session's activity time, and its size follows the block. */
  recordActivity: request(
    z
      .object({
        sessionId: Id,
        blockId: Id,
        kind: z.enum(['focus', 'input']),
        cols: Cols,
        rows: Rows,
      })
      .strict(),
    phantom<void>(),
  ),
  /**
   * Show a new session on another connection in a block (the header's connection label);
   * the session it showed keeps running, detached. The block then attaches as usual.
   */
  switchConnection: request(
    z.object({ blockId: Id, connection: ConnectionName }).strict(),
    phantom<BlockInfo>(),
  ),
  /** `local`, the Host aliases of ~/.ssh/config and the connections used before, most recent first. */
  listConnections: request(z.object({}).strict(), phantom<ConnectionInfo[]>()),
  /** Connect now: cancels a backoff wait, retries after an error; a live link is left as it is. */
  reconnect: request(z.object({ connection: ConnectionName }).strict(), phantom<void>()),
  /** Questions waiting for an answer (a reloaded window shows them again). */
  pendingPrompts: request(z.object({}).strict(), phantom<SshPrompt[]>()),
  /** Answer a prompt; a prompt answered elsewhere (or gone) is `not_found`. Secrets are never stored. */
  answerPrompt: request(
    z
      .object({
        promptId: Id,
        answer: z.discriminatedUnion('kind', [
          z
            .object({ kind: z.literal('hostKey'), choice: z.enum(['once', 'save', 'reject']) })
            .strict(),
          z
            .object({ kind: z.literal('secret'), values: z.array(z.string().max(4096)).max(16) })
            .strict(),
          z.object({ kind: z.literal('cancel') }).strict(),
        ]),
      })
      .strict(),
    phantom<void>(),
  ),
  /** The consistency checker's counters. */
  checkerReport: request(z.object({}).strict(), phantom<CheckerReport>()),
  /** Stop following a zone for one block. */
  detachZone: request(z.object({ zone: Id, blockId: Id }).strict(), phantom<void>()),
  /**
   * Send user input (keys, pastes) to the shell behind a zone. `binary` input
   * (legacy mouse reports) is a string of byte values, sent as those bytes.
   */
  writeZone: request(
    z
      .object({
        zone: Id,
        blockId: Id,
        data: z.string().max(MAX_INPUT_CHARS),
        binary: z.boolean().optional(),
      })
      .strict(),
    phantom<void>(),
  ),
  /** A block's size changed; the shell follows it if the block was active last. */
  resizeZone: request(
    z.object({ zone: Id, blockId: Id, cols: Cols, rows: Rows }).strict(),
    phantom<void>(),
  ),
  /** Acknowledge output bytes a block painted, for flow control. */
  ackZone: request(
    z
      .object({
        zone: Id,
        blockId: Id,
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
  /** A session changed (status, name, size, attached blocks). */
  sessionChanged: event<SessionEvent>(),
  /** A session was deleted (by the user or the reaper). */
  sessionRemoved: event<{ sessionId: string }>(),
  /** A block's session changed without the window asking (its session was deleted, a repair). */
  blockChanged: event<{ block: BlockInfo }>(),
  /** Something the user should read. */
  notice: event<Notice>(),
  /** A connection's link changed state. */
  connectionChanged: event<ConnectionStatus>(),
  /** An SSH login needs an answer. */
  sshPrompt: event<SshPrompt>(),
  /** A prompt was answered (maybe in another window), cancelled or timed out. */
  sshPromptClosed: event<{ promptId: string }>(),
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
  /** The session's host cannot be reached now; Tether is reconnecting (nothing typed is sent). */
  | 'disconnected'
  | 'detached'
  | 'wrong_connection'
  /** An SSH connection could not be made (the message says why: refused, auth, host key...). */
  | 'connection_failed'
  /** The connection name is not `local`, a Host alias or `[user@]host[:port]`. */
  | 'invalid_connection'
  | 'name_taken'
  | 'invalid_name'
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
