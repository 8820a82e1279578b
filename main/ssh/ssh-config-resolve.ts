/**
 * What OpenSSH would use for one host: the loaded configuration is flattened
 * for that host, then `ssh-config`'s compute() applies "first obtained value
 * wins" and evaluates Match blocks.
 *
 * Nothing here runs a command or resolves a name:
 * - compute() runs `Match exec` commands unless told not to, so we pass
 *   `matchExec: false` AND drop every Match block with an exec criterion
 *   before the library sees it: such a block never matches.
 * - Host blocks are matched here (OpenSSH semantics: case-sensitive, `?` is
 *   exactly one character, any matching `!pattern` rejects the line) and only
 *   the matching blocks' directives reach compute(). So the library's own Host
 *   matching, and with it its CanonicalizeHostname path that spawns
 *   `nslookup`, is never used: hostnames are not canonicalized.
 * - Match `all`, `host`, `originalhost`, `user`, `localuser` and `final` are
 *   the library's; `canonical`, negated (`!host`) and newer criteria never
 *   match; `localuser` (and `user` when no user is given) use the OS account.
 *
 * Include inside a Host block applies when that block matches, as in OpenSSH.
 * Include inside a Match block: the included file's leading directives follow
 * the Match condition (re-evaluated after the include), but Host/Match blocks
 * inside such a file are ignored.
 */
import os from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { Directive, Match, Section } from 'ssh-config';
import type { ConfigItem, SshConfig } from './ssh-config';
import type { AddKeysToAgent, JumpHop, StrictHostKeyChecking } from './ssh-config-target';
import {
  OPTION_PARSERS,
  expandTilde,
  expandTokens,
  hostPatternsMatch,
  parseTarget,
  valuesOf,
} from './ssh-config-target';

export type ResolvedHost = {
  /** The host part of the target as typed: what Host patterns were matched against. */
  alias: string;
  /** HostName with %h expanded, lower-cased like ssh does. */
  hostName: string;
  user: string;
  port: number;
  /** Expanded, de-duplicated, in config order; OpenSSH's defaults when none is configured. */
  identityFiles: string[];
  /** False when identityFiles are the defaults (missing ones are then skipped silently). */
  identityFilesFromConfig: boolean;
  identitiesOnly: boolean;
  /** [] for no ProxyJump (or `none`); hops are unresolved: resolve each as a target. */
  proxyJump: JumpHop[];
  /** Unexpanded; null unless it came before any ProxyJump (the first of the two wins). */
  proxyCommand: string | null;
  /** null: keepalives off (unset or 0). */
  serverAliveIntervalS: number | null;
  serverAliveCountMax: number;
  /** null: the system's TCP timeout (unset, 0 or `none`). */
  connectTimeoutS: number | null;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** The name to look up in known_hosts instead of the host name, if set. */
  hostKeyAlias: string | null;
  addKeysToAgent: AddKeysToAgent;
  forwardAgent: boolean;
};

export type ResolveOptions = { localUser: string; home: string };

/** Remembers which of ProxyJump / ProxyCommand came first; compute() keeps the first. */
const PROXY_KIND = 'X-Tether-ProxyKind';

/**
 * Resolves `host`, `user@host`, `host:port`, `user@host:port` or `[v6]:port`.
 * A user or port in the target wins over the configuration, as `ssh -l`/`-p` do.
 */
export function resolveHost(
  config: SshConfig,
  target: string,
  { localUser, home }: ResolveOptions,
): ResolvedHost {
  const typed = parseTarget(target);
  const flat = flatten(config.items, typed.host);
  const query = typed.user === null ? { Host: typed.host } : { Host: typed.host, User: typed.user };
  const found = flat.compute(query, { ignoreCase: true, matchExec: false });
  const one = (key: string): string | undefined => {
    const value = found[key];
    return Array.isArray(value) ? value.join(' ') : value;
  };
  const many = (key: string): string[] | undefined => {
    const value = found[key];
    return value === undefined ? undefined : Array.isArray(value) ? value : [value];
  };
  const opt = <K extends keyof typeof OPTION_PARSERS>(key: K) => {
    const value = one(key);
    return value === undefined
      ? undefined
      : (OPTION_PARSERS[key](value, `for ${typed.host}`) as ReturnType<(typeof OPTION_PARSERS)[K]>);
  };

  const hostName = (one('hostname') ?? typed.host).toLowerCase();
  const user = typed.user ?? one('user') ?? localUser;
  const port = typed.port ?? opt('port') ?? 22;
  const tokens: Record<string, string> = {
    '%': '%',
    d: home,
    u: localUser,
    r: user,
    h: hostName,
    p: String(port),
    n: typed.host,
    i: String(process.getuid?.() ?? ''),
    l: os.hostname(),
  };
  const path = (p: string) => expandTokens(expandTilde(p, home), tokens);
  const paths = (list: string[] | undefined, defaults: string[]) =>
    list?.length === 1 && list[0]?.toLowerCase() === 'none'
      ? []
      : [...new Set((list ?? defaults).map(path))];

  const configuredKeys = many('identityfile');
  const defaultKeys = ['id_rsa', 'id_ecdsa', 'id_ed25519'].map((f) => join(home, '.ssh', f));
  const proxyFirst = one(PROXY_KIND.toLowerCase());
  const interval = opt('serveraliveinterval') ?? 0;
  const timeout = opt('connecttimeout') ?? 0;
  return {
    alias: typed.host,
    hostName,
    user,
    port,
    identityFiles: paths(configuredKeys, defaultKeys),
    identityFilesFromConfig: configuredKeys !== undefined,
    identitiesOnly: opt('identitiesonly') ?? false,
    proxyJump: proxyFirst === 'jump' ? (opt('proxyjump') ?? []) : [],
    proxyCommand:
      proxyFirst === 'command' && one('proxycommand')?.toLowerCase() !== 'none'
        ? (one('proxycommand') ?? null)
        : null,
    serverAliveIntervalS: interval > 0 ? interval : null,
    serverAliveCountMax: opt('serveralivecountmax') ?? 3,
    connectTimeoutS: timeout > 0 ? timeout : null,
    userKnownHostsFiles: paths(many('userknownhostsfile'), [
      '~/.ssh/known_hosts',
      '~/.ssh/known_hosts2',
    ]),
    globalKnownHostsFiles: paths(many('globalknownhostsfile'), [
      '/etc/ssh/ssh_known_hosts',
      '/etc/ssh/ssh_known_hosts2',
    ]),
    strictHostKeyChecking: opt('stricthostkeychecking') ?? 'ask',
    hostKeyAlias: one('hostkeyalias') ?? null,
    addKeysToAgent: opt('addkeystoagent') ?? 'no',
    forwardAgent: opt('forwardagent') ?? false,
  };
}

/**
 * The concrete Host names a user can pick, in file order, once each: no
 * patterns (`*`, `?`), no negations, only names their own block (and any
 * enclosing Host block of an Include) would match.
 */
export function listHostAliases(config: SshConfig): string[] {
  const names = new Set<string>();
  const walk = (items: readonly ConfigItem[], guards: string[][]) => {
    for (const item of items) {
      if (item.kind === 'include') item.files.forEach((f) => walk(f.items, guards));
      if (item.kind !== 'section' || !/^host$/i.test(item.line.param)) continue;
      const patterns = valuesOf(item.line);
      const inside = [...guards, patterns];
      for (const name of patterns) {
        if (/[*?!]/.test(name) || !inside.every((g) => hostPatternsMatch(g, name))) continue;
        names.add(name);
      }
      for (const sub of item.body) {
        if (sub.kind === 'include') sub.files.forEach((f) => walk(f.items, inside));
      }
    }
  };
  walk(config.items, []);
  return [...names];
}

type Guard = { kind: 'always' } | { kind: 'match'; section: Section; open: Section | null };

/** The directives that apply to `host`, in order, with Match blocks kept for compute(). */
function flatten(items: readonly ConfigItem[], host: string): SSHConfig {
  const out = new SSHConfig();
  const push = (line: Directive, guard: Guard) => {
    const target = guard.kind === 'always' ? out : openSection(guard);
    target.push(normalize(line, host));
    if (/^proxy(jump|command)$/i.test(line.param)) {
      const kind = /jump/i.test(line.param) ? 'jump' : 'command';
      target.push({ ...line, param: PROXY_KIND, value: kind });
    }
  };
  const openSection = (guard: Extract<Guard, { kind: 'match' }>) => {
    if (!guard.open) {
      guard.open = { ...guard.section, config: new SSHConfig() };
      out.push(guard.open);
    }
    return guard.open.config;
  };
  const emit = (list: readonly ConfigItem[], guard: Guard) => {
    for (const item of list) {
      if (item.kind === 'directive') push(item.line, guard);
      if (item.kind === 'include') {
        const inner: Guard = guard.kind === 'match' ? { ...guard, open: null } : guard;
        for (const file of item.files) emit(file.items, inner);
        if (guard.kind === 'match') guard.open = null;
      }
      if (item.kind !== 'section' || guard.kind === 'match') continue;
      if (/^host$/i.test(item.line.param)) {
        if (hostPatternsMatch(valuesOf(item.line), host)) emit(item.body, { kind: 'always' });
      } else if (!hasExec(item.line)) {
        emit(item.body, { kind: 'match', section: item.line, open: null });
      }
    }
  };
  emit(items, { kind: 'always' });
  return out;
}

function hasExec(section: Section): boolean {
  const criteria = Object.keys((section as Partial<Match>).criteria ?? {});
  return criteria.some((key) => /^!?exec$/i.test(key));
}

/**
 * A copy the library reads right: canonical HostName/User spelling (its Match
 * host/user tracking compares names case-sensitively) and HostName's `%h`
 * already expanded, as ssh does before evaluating `Match host`.
 */
function normalize(line: Directive, host: string): Directive {
  const key = line.param.toLowerCase();
  if (key === 'user') return { ...line, param: 'User' };
  if (key !== 'hostname' || typeof line.value !== 'string') return { ...line };
  return { ...line, param: 'HostName', value: expandTokens(line.value, { h: host, '%': '%' }) };
}
