/**
 * What a host offers for durable sessions, asked once per link with one exec:
 * where tmux is (`command -v tmux`, then the usual places a non-login PATH
 * misses), its version (`tmux -V`), and whether the host has the
 * tmux-256color terminfo. Nothing is ever installed on a host.
 */
import { atLeast, parseTmuxVersion, type TmuxVersion } from '../backends/tmux/tmux-server';
import type { ClientChannel } from 'ssh2';

/** Opens an exec channel on the host; release() once it has closed. */
export type ExecOpener = (command: string) => Promise<{ value: ClientChannel; release(): void }>;

export type HostTmux =
  | { usable: true; program: string; version: TmuxVersion; terminal: string }
  /** Why sessions on this host are plain shells, for people ("tmux not found on devbox"). */
  | { usable: false; reason: string };

/** Places tmux is often installed that a non-interactive PATH can miss. */
const EXTRA_PLACES = [
  '$HOME/.local/bin/tmux',
  '$HOME/bin/tmux',
  '/usr/local/bin/tmux',
  '/opt/homebrew/bin/tmux',
  '/opt/local/bin/tmux',
  '/snap/bin/tmux',
];

const TERMINFO_DIRS = [
  '$HOME/.terminfo',
  '/etc/terminfo',
  '/lib/terminfo',
  '/usr/share/terminfo',
  '/usr/lib/terminfo',
];

/**
 * A POSIX sh script, wrapped for `sh -c` in single quotes (it holds none), so the user's
 * login shell (bash, zsh, fish...) only passes it on.
 */
export const PROBE_SCRIPT = [
  't=$(command -v tmux 2>/dev/null)',
  `if [ -z "$t" ]; then for p in ${EXTRA_PLACES.map((p) => `"${p}"`).join(' ')}; do if [ -x "$p" ]; then t=$p; break; fi; done; fi`,
  'if [ -n "$t" ]; then printf "path=%s\\n" "$t"; printf "version=%s\\n" "$("$t" -V 2>&1)"; fi',
  `for d in ${TERMINFO_DIRS.map((d) => `"${d}"`).join(' ')}; do if [ -e "$d/t/tmux-256color" ] || [ -e "$d/74/tmux-256color" ]; then echo terminfo=tmux-256color; break; fi; done`,
  'echo probed=1',
].join('; ');

/** Ask the host; `name` is the connection as people know it. */
export async function probeHostTmux(
  exec: ExecOpener,
  name: string,
  timeoutMs = 15_000,
): Promise<HostTmux> {
  const out = await runOnce(exec, `/bin/sh -c '${PROBE_SCRIPT}'`, timeoutMs);
  return readProbe(out, name);
}

/** The probe's answer, read. */
export function readProbe(out: string, name: string): HostTmux {
  const fields = new Map<string, string>();
  for (const line of out.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  if (!fields.has('probed')) {
    // Cut short (the link dropped meanwhile): nothing is known, so nothing is decided.
    throw new Error(`${name} did not finish Tether's check for tmux`);
  }
  const program = fields.get('path');
  if (!program) return { usable: false, reason: `tmux not found on ${name}.` };
  const version = parseTmuxVersion(fields.get('version') ?? '');
  if (!version) {
    return { usable: false, reason: `tmux on ${name} does not say its version (${program} -V).` };
  }
  if (!atLeast(version, 3, 0, 'a')) {
    return {
      usable: false,
      reason: `tmux ${version.text} on ${name} is too old; 3.0a or newer is needed.`,
    };
  }
  const terminal = fields.get('terminfo') === 'tmux-256color' ? 'tmux-256color' : 'screen-256color';
  return { usable: true, program, version, terminal };
}

/** Run one command over an exec channel; resolves its stdout (whatever its exit status). */
function runOnce(exec: ExecOpener, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    timer.unref?.();
    exec(command).then(
      ({ value: channel, release }) => {
        timer.refresh();
        const giveUp = setTimeout(() => channel.close(), timeoutMs);
        giveUp.unref?.();
        const out: Buffer[] = [];
        channel.on('data', (data: Buffer) => out.push(data));
        channel.stderr.on('data', () => {});
        channel.on('error', () => {});
        channel.on('close', () => {
          release();
          clearTimeout(giveUp);
          clearTimeout(timer);
          resolve(Buffer.concat(out).toString('utf8'));
        });
        channel.end();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
