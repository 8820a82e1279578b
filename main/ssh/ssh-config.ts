/**
 * Reads the user's ~/.ssh/config with the `ssh-config` package (a well-kept
 * parser, not a hand-written one) and follows its `Include` directives.
 * Resolving a host lives in ssh-config-resolve.ts; nothing here ever runs a
 * command (`Match exec` included) or touches the network.
 */
import { readdir, readFile as fsReadFile } from 'node:fs/promises';
import { isAbsolute, join, parse as parsePath, resolve } from 'node:path';
import SSHConfig, { LineType } from 'ssh-config';
import type { Directive, Line, Section } from 'ssh-config';
import {
  OPTION_PARSERS,
  SshConfigError,
  expandTilde,
  patternToRegExp,
  valuesOf,
} from './ssh-config-target';

export { SshConfigError, parseTarget, parseProxyJump } from './ssh-config-target';
export type { JumpHop } from './ssh-config-target';
export { resolveHost, listHostAliases } from './ssh-config-resolve';
export type { ResolvedHost, ResolveOptions } from './ssh-config-resolve';

/** OpenSSH's READCONF_MAX_DEPTH. */
export const MAX_INCLUDE_DEPTH = 16;

/** One directive or section of a file, with its `Include`s already read. */
export type ConfigItem =
  | { kind: 'directive'; line: Directive; at: string }
  | { kind: 'include'; files: IncludedFile[]; at: string }
  | { kind: 'section'; line: Section; body: BodyItem[]; at: string };
/** Inside a Host/Match block: directives and includes, never another section. */
export type BodyItem = Extract<ConfigItem, { kind: 'directive' | 'include' }>;
export type IncludedFile = { path: string; items: ConfigItem[] };

/** A parsed ssh configuration: the main file's items, includes nested in place. */
export type SshConfig = {
  /** Every file read, main file first, in reading order. */
  readonly files: readonly string[];
  readonly items: readonly ConfigItem[];
};

export type LoadOptions = {
  home: string;
  /** Defaults to `<home>/.ssh/config`, like `ssh -F`; relative Includes stay relative to ~/.ssh. */
  file?: string;
  /** Must reject with `code: 'ENOENT'` for a missing file. */
  readFile?: (path: string) => Promise<string>;
  readDir?: (path: string) => Promise<string[]>;
};

export const EMPTY_SSH_CONFIG: SshConfig = { files: [], items: [] };

/**
 * Reads the configuration. A missing main file is an empty configuration; an
 * unreadable or malformed file, an include cycle or nesting deeper than 16 is
 * an SshConfigError naming the file and line.
 */
export async function loadSshConfig(options: LoadOptions): Promise<SshConfig> {
  const sshDir = resolve(options.home, '.ssh');
  const main = options.file ? resolve(options.file) : join(sshDir, 'config');
  const read = options.readFile ?? ((path: string) => fsReadFile(path, 'utf8'));
  const list = options.readDir ?? ((path: string) => readdir(path));
  const files: string[] = [];

  const loadFile = async (path: string, stack: string[]): Promise<ConfigItem[] | null> => {
    let text: string;
    try {
      text = await read(path);
    } catch (err) {
      if (isMissing(err)) return null;
      throw new SshConfigError(`cannot read ${path}: ${(err as Error).message}`);
    }
    files.push(path);
    const parsed = parseText(text, path);
    const where = lineLocations(parsed, path);
    const include = async (line: Directive): Promise<BodyItem> => {
      const at = where.get(line) ?? path;
      if (stack.length > MAX_INCLUDE_DEPTH) {
        throw new SshConfigError(`${at}: Include nested deeper than ${MAX_INCLUDE_DEPTH}`);
      }
      const included: IncludedFile[] = [];
      for (const pattern of valuesOf(line)) {
        const full = expandTilde(pattern, options.home);
        for (const target of await expandGlob(isAbsolute(full) ? full : join(sshDir, full), list)) {
          if (stack.includes(target)) {
            throw new SshConfigError(`${at}: Include cycle: ${[...stack, target].join(' -> ')}`);
          }
          const items = await loadFile(target, [...stack, target]);
          if (items) included.push({ path: target, items });
        }
      }
      return { kind: 'include', files: included, at };
    };
    const body = async (line: Directive): Promise<BodyItem> =>
      /^include$/i.test(line.param)
        ? include(line)
        : { kind: 'directive', line, at: where.get(line) ?? path };

    const items: ConfigItem[] = [];
    for (const line of parsed) {
      if (line.type !== LineType.DIRECTIVE) continue;
      if (!('config' in line)) {
        items.push(await body(line));
        continue;
      }
      const inner: BodyItem[] = [];
      for (const sub of line.config) {
        if (sub.type === LineType.DIRECTIVE) inner.push(await body(sub));
      }
      items.push({ kind: 'section', line, body: inner, at: where.get(line) ?? path });
    }
    return items;
  };

  const items = await loadFile(main, [main]);
  return { files, items: items ?? [] };
}

function check(line: Directive, at: string): void {
  // The parser reads a bare keyword's line break into the keyword ("Host\nUser").
  const [keyword] = line.param.split(/\s/);
  if (line.value === '' || keyword !== line.param) {
    throw new SshConfigError(`${at}: ${keyword} needs an argument`);
  }
  const key = line.param.toLowerCase();
  if (!Object.hasOwn(OPTION_PARSERS, key)) return;
  try {
    OPTION_PARSERS[key as keyof typeof OPTION_PARSERS](
      valuesOf(line).join(' '),
      `in ${line.param}`,
    );
  } catch (err) {
    throw new SshConfigError(`${at}: ${(err as Error).message}`);
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** Parses one file; on failure finds the offending line (the grammar is line by line). */
function parseText(text: string, path: string): SSHConfig {
  try {
    return SSHConfig.parse(text);
  } catch (err) {
    const lines = text.split(/\r\n|\r|\n/);
    const index = lines.findIndex((line) => {
      try {
        SSHConfig.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    const line = index >= 0 ? `:${index + 1}` : '';
    const detail = err instanceof TypeError ? 'missing argument' : (err as Error).message;
    throw new SshConfigError(`${path}${line}: cannot parse ssh config (${detail})`);
  }
}

/**
 * `file:line` of every directive, by counting line breaks in the text the
 * parser kept around each line. Also checks every directive's argument the way
 * ssh does while reading, whether or not its block applies.
 */
function lineLocations(config: SSHConfig, path: string): Map<Line, string> {
  const where = new Map<Line, string>();
  let lineNo = 1;
  const breaks = (s: string) => s.match(/\r\n|\r|\n/g)?.length ?? 0;
  const visit = (lines: readonly Line[]) => {
    for (const line of lines) {
      lineNo += breaks(line.before);
      if (line.type === LineType.DIRECTIVE) {
        where.set(line, `${path}:${lineNo}`);
        check(line, `${path}:${lineNo}`);
      }
      lineNo += breaks(line.after);
      if ('config' in line) visit(line.config);
    }
  };
  visit(config);
  return where;
}

/**
 * glob(3) for Include, just enough: `*` and `?` in any path component, no
 * `[…]`; dot files only when the component itself starts with a dot; sorted.
 */
async function expandGlob(
  path: string,
  readDir: (dir: string) => Promise<string[]>,
): Promise<string[]> {
  if (!/[*?]/.test(path)) return [path];
  const { root } = parsePath(path);
  let found = [root];
  for (const part of path
    .slice(root.length)
    .split(/[\\/]+/)
    .filter(Boolean)) {
    if (!/[*?]/.test(part)) {
      found = found.map((dir) => join(dir, part));
      continue;
    }
    const re = patternToRegExp(part, { crossSlash: false });
    const next: string[] = [];
    for (const dir of found) {
      const names = await readDir(dir).catch((err: unknown) => {
        if (isMissing(err)) return [] as string[];
        throw new SshConfigError(`cannot list ${dir}: ${(err as Error).message}`);
      });
      for (const name of names) {
        if (re.test(name) && (!name.startsWith('.') || part.startsWith('.'))) {
          next.push(join(dir, name));
        }
      }
    }
    found = next;
  }
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
