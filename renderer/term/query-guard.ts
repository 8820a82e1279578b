/**
 * Keeps xterm.js from answering terminal queries that another terminal
 * already answers. A tmux session's pane output reaches xterm raw, queries
 * and all, while tmux itself is the terminal of the programs in its panes and
 * answers their Device Attributes and Device Status Report queries; a second
 * answer from xterm would reach the shell as typed garbage. A pty or plain
 * SSH shell has no terminal but xterm, so there xterm keeps answering.
 */
import type { IDisposable, IFunctionIdentifier, IParser } from '@xterm/xterm';
import type { SessionInfo } from '../../preload/contract';

/**
 * The queries swallowed, as xterm.js 6 parses them. Window reports (`CSI … t`) are not
 * among them: xterm answers none while `windowOptions` is left off, as Tether leaves it.
 */
export const SWALLOWED_QUERIES: readonly IFunctionIdentifier[] = [
  // DA1, "what are you"
  { final: 'c' },
  // DA2, "which terminal, which version"
  { prefix: '>', final: 'c' },
  // DA3: xterm.js 6 does not answer it, but a later one might.
  { prefix: '=', final: 'c' },
  // DSR: status (5) and cursor position (6)
  { final: 'n' },
  // DEC DSR: cursor position (?6) and the rest of the private reports
  { prefix: '?', final: 'n' },
];

/** Whether a session's backend answers terminal queries itself, so xterm must not. */
export function swallowsQueries(backend: SessionInfo['backend']): boolean {
  return backend === 'tmux';
}

/**
 * Registers handlers that swallow the queries in SWALLOWED_QUERIES while `active()` says
 * so, and leave them to xterm otherwise. `active` is asked as each query is parsed, so
 * registering once covers a terminal that shows different sessions over its life.
 */
export function guardQueries(parser: IParser, active: () => boolean): IDisposable {
  const handlers = SWALLOWED_QUERIES.map((id) => parser.registerCsiHandler(id, () => active()));
  // Colour queries (OSC 10/11/12 with `?`): tmux answers them too. Setting a colour is
  // left to xterm.
  for (const code of SWALLOWED_COLOUR_QUERIES) {
    handlers.push(parser.registerOscHandler(code, (data) => active() && data.trim() === '?'));
  }
  return { dispose: () => handlers.forEach((handler) => handler.dispose()) };
}

/** OSC codes whose `?` query tmux answers: foreground, background, cursor colour. */
export const SWALLOWED_COLOUR_QUERIES: readonly number[] = [10, 11, 12];
