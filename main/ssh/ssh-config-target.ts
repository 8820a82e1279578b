/**
 * The small, pure pieces of ssh_config semantics: connection targets
 * (`user@host:port`, `[v6]:port`), ProxyJump hops, OpenSSH patterns (`*`, `?`,
 * `!negation`), `%` tokens and time values.
 */

import type { Directive } from 'ssh-config';

/** Where to connect, as typed or as one ProxyJump hop; null means "not given". */
export type JumpHop = { user: string | null; host: string; port: number | null };

/** The values of a multi-value directive (`Host a b`, `Include x "y z"`). */
export function valuesOf(line: Directive): string[] {
  return typeof line.value === 'string' ? [line.value] : line.value.map((v) => v.val);
}

/** An error in the user's ssh configuration or in a target; the message says where. */
export class SshConfigError extends Error {
  override name = 'SshConfigError';
}

/**
 * Parses `host`, `user@host`, `host:port`, `user@host:port`, `[v6]:port` or
 * `ssh://user@host:port`. The user is split at the last `@`, as ssh does; a
 * host with several colons and no brackets is a bare IPv6 address.
 */
export function parseTarget(text: string): JumpHop {
  let rest = text.trim();
  if (rest.startsWith('ssh://')) rest = rest.slice('ssh://'.length).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : null;
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  let host = rest;
  let port: string | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const after = close < 0 ? '' : rest.slice(close + 1);
    if (close < 0 || (after !== '' && !after.startsWith(':'))) return bad(text);
    host = rest.slice(1, close);
    if (after !== '') port = after.slice(1);
  } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') === rest.lastIndexOf(':')) {
    host = rest.slice(0, rest.indexOf(':'));
    port = rest.slice(rest.indexOf(':') + 1);
  }
  if (host === '' || user === '' || /\s/.test(host)) return bad(text);
  return { user, host, port: port === null ? null : parsePort(port, `in "${text}"`) };
}

function bad(text: string): never {
  throw new SshConfigError(`not a host, user@host or user@host:port: "${text}"`);
}

/** A ProxyJump value: comma-separated hops; `none` means no jump. */
export function parseProxyJump(value: string): JumpHop[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((hop) => parseTarget(hop));
}

export function parsePort(text: string, where: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new SshConfigError(`bad port "${text}" ${where}`);
  return port;
}

/** OpenSSH's time format: `30`, `30s`, `1m30s`, `1h` … in seconds. */
export function parseSeconds(text: string, where: string): number {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const parts = [...text.toLowerCase().matchAll(/(\d+)([smhdw]?)/g)];
  if (parts.map((p) => p[0]).join('') !== text.toLowerCase() || parts.length === 0) {
    throw new SshConfigError(`bad time "${text}" ${where}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ''] ?? 1), 0);
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';
export type AddKeysToAgent = 'yes' | 'no' | 'ask' | 'confirm';

function lookup<T>(map: Record<string, T>, text: string, where: string): T {
  const key = text.toLowerCase();
  if (!Object.hasOwn(map, key)) throw new SshConfigError(`unexpected value "${text}" ${where}`);
  return map[key] as T;
}

const FLAG: Record<string, boolean> = { yes: true, true: true, no: false, false: false };

/**
 * The typed options a client needs, by lower-case keyword. The loader runs
 * them on every occurrence (as ssh does, active or not) so a bad value is
 * reported with its file and line; resolveHost runs them on the winners.
 */
export const OPTION_PARSERS = {
  port: parsePort,
  identitiesonly: (text: string, where: string) => lookup(FLAG, text, where),
  proxyjump: (text: string) => parseProxyJump(text),
  serveraliveinterval: parseSeconds,
  serveralivecountmax: (text: string, where: string) => {
    if (!/^\d+$/.test(text)) throw new SshConfigError(`bad count "${text}" ${where}`);
    return Number(text);
  },
  connecttimeout: (text: string, where: string) =>
    text.toLowerCase() === 'none' ? 0 : parseSeconds(text, where),
  stricthostkeychecking: (text: string, where: string) =>
    lookup<StrictHostKeyChecking>(
      {
        yes: 'yes',
        true: 'yes',
        no: 'no',
        false: 'no',
        off: 'no',
        ask: 'ask',
        'accept-new': 'accept-new',
      },
      text,
      where,
    ),
  // "confirm 1h", "1h" (= yes with a lifetime): the lifetime is not kept.
  addkeystoagent: (text: string, where: string): AddKeysToAgent => {
    const [word = ''] = text.toLowerCase().split(/\s+/);
    if (/^\d/.test(word)) {
      parseSeconds(word, where);
      return 'yes';
    }
    const words: Record<string, AddKeysToAgent> = {
      yes: 'yes',
      true: 'yes',
      no: 'no',
      false: 'no',
      ask: 'ask',
      confirm: 'confirm',
    };
    return lookup(words, word, where);
  },
  forwardagent: (text: string) => !/^(no|false)$/i.test(text),
} satisfies Record<string, (text: string, where: string) => unknown>;

/** An OpenSSH pattern as a RegExp: `*` any run, `?` exactly one character, case-sensitive. */
export function patternToRegExp(pattern: string, { crossSlash = true } = {}): RegExp {
  const any = crossSlash ? '.' : '[^/]';
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? `${any}*` : c === '?' ? any : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

/**
 * A `Host` line's patterns against the name the user typed, as readconf.c
 * does: any matching `!pattern` rejects the line, otherwise any match accepts.
 * (The library's own matcher treats `?` as "zero or one character".)
 */
export function hostPatternsMatch(patterns: readonly string[], host: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (!patternToRegExp(negated ? pattern.slice(1) : pattern).test(host)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** Expands `%x` tokens; unknown ones are left as they are. `%%` needs `'%': '%'` in tokens. */
export function expandTokens(text: string, tokens: Readonly<Record<string, string>>): string {
  return text.replace(/%(.)/gs, (whole, key: string) => tokens[key] ?? whole);
}

/** `~` and `~/…` to the home directory (`~otheruser` is left alone). */
export function expandTilde(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return home.replace(/\/+$/, '') + path.slice(1);
  return path;
}
