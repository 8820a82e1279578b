/**
 * Which shell a local terminal runs, and the environment it gets. The user's
 * login shell ($SHELL) first, then /bin/bash, then /bin/sh; an explicit shell
 * (config, tests) is used as given so that a wrong path is reported, not hidden.
 */
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';

export type ShellChoice = {
  file: string;
  args: string[];
  /** Set when $SHELL was unusable and a fallback was taken. */
  fallbackFrom?: string;
};

const FALLBACKS = ['/bin/bash', '/bin/sh'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** macOS terminals start login shells; Linux ones start interactive shells. */
function shellArgs(platform: NodeJS.Platform): string[] {
  return platform === 'darwin' ? ['-l'] : [];
}

export function resolveShell(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  executable: (file: string) => boolean = isExecutable,
): ShellChoice {
  const args = shellArgs(platform);
  if (explicit) return { file: explicit, args };
  const userShell = env.SHELL?.trim();
  if (userShell && userShell.startsWith('/') && executable(userShell)) {
    return { file: userShell, args };
  }
  const fallback = FALLBACKS.find(executable) ?? '/bin/sh';
  return userShell ? { file: fallback, args, fallbackFrom: userShell } : { file: fallback, args };
}

/** Variables of the app's own runtime that must not leak into user shells. */
const PRIVATE_VARIABLES = [/^ELECTRON_/, /^TETHER_TOKEN$/, /^VITE_/, /^npm_/, /^NODE_OPTIONS$/];

export function shellEnvironment(
  base: NodeJS.ProcessEnv = process.env,
  version = '0.0.0',
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || PRIVATE_VARIABLES.some((pattern) => pattern.test(key))) continue;
    env[key] = value;
  }
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  env.TERM_PROGRAM = 'Tether';
  env.TERM_PROGRAM_VERSION = version;
  // Without a UTF-8 locale, bash and readline mangle non-ASCII input.
  if (!env.LANG && !env.LC_ALL && !env.LC_CTYPE) env.LANG = 'C.UTF-8';
  env.HOME ??= homedir();
  return env;
}
