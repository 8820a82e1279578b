/**
 * A background program for the tests (sshd -D, ssh-agent -D) that cannot
 * outlive the test process. It runs under a small sh wrapper that holds the
 * read end of a pipe from this process: when this process goes away in any
 * way (even SIGKILL from the test runner, when no hook runs) the pipe closes
 * and the wrapper sends the program SIGTERM, then deletes what it was told to
 * (the fixture's temp dir, a throwaway user). Output goes to a log file.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { cleanUpAtExit } from './exit-cleanup';

// $1.. is the program and its arguments. fd 3 keeps the pipe from the parent,
// because an asynchronous list's stdin is /dev/null in a shell without job
// control. The watcher ignores the wrapper's TERM once the parent is gone, so
// that it finishes cleaning up; before that, the TERM ends it.
const WRAPPER = `
exec 3<&0
( unset TETHER_ORPHAN_DIR TETHER_ORPHAN_USER; exec "$@" ) </dev/null >&2 &
program=$!
echo "$program"
(
  read -r _ <&3
  trap '' TERM
  kill -TERM "$program" 2>/dev/null
  sleep 1
  if [ -n "$TETHER_ORPHAN_USER" ]; then userdel --force "$TETHER_ORPHAN_USER" >/dev/null 2>&1; fi
  if [ -n "$TETHER_ORPHAN_DIR" ]; then rm -rf -- "$TETHER_ORPHAN_DIR"; fi
) &
watcher=$!
wait "$program"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
`;

/** What the wrapper deletes when the test process dies without stopping the program. */
export type OrphanCleanup = { dir?: string; user?: string };

export type Daemon = {
  /** The program's own pid (not the wrapper's). */
  pid: number;
  /** Resolves with the program's exit status once it has exited. */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM to the program and all its descendants, SIGKILL to what is left after graceMs. */
  stop(graceMs?: number): Promise<void>;
};

export async function startDaemon(
  command: string,
  args: readonly string[],
  options: { logPath: string; env?: NodeJS.ProcessEnv; orphanCleanup?: OrphanCleanup },
): Promise<Daemon> {
  const log = openSync(options.logPath, 'a');
  const wrapper = spawn('/bin/sh', ['-c', WRAPPER, 'tether-test-daemon', command, ...args], {
    env: {
      ...(options.env ?? process.env),
      TETHER_ORPHAN_DIR: options.orphanCleanup?.dir ?? '',
      TETHER_ORPHAN_USER: options.orphanCleanup?.user ?? '',
    },
    stdio: ['pipe', 'pipe', log],
  });
  closeSync(log);
  const { stdin, stdout } = wrapper;
  if (!stdin || !stdout) throw new Error('the daemon wrapper has no pipes');
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    wrapper.on('exit', (code) => {
      done = true;
      resolve(code);
    });
  });
  stdin.on('error', () => {});
  wrapper.on('error', () => {});
  const pid = Number(await firstLine(stdout, exited));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${command} did not start`);

  const forgetAtExit = cleanUpAtExit(() => {
    for (const each of [pid, ...descendantPids(pid)]) signal(each, 'SIGKILL');
  });
  return {
    pid,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5_000) {
      // Children of the program (sshd's per-connection processes) outlive it unless told.
      const tree = done ? [] : [pid, ...descendantPids(pid)];
      for (const each of tree) signal(each, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (tree.some(isAlive) && Date.now() < deadline) await sleep(50);
      for (const each of tree.filter(isAlive)) signal(each, 'SIGKILL');
      await exited;
      stdin.end();
      forgetAtExit();
    },
  };
}

function firstLine(stream: Readable, exited: Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        stream.off('data', onData);
        resolve(text.slice(0, end).trim());
      }
    };
    stream.on('data', onData);
    void exited.then(() => reject(new Error('the daemon wrapper exited before printing a pid')));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Alive and not a zombie waiting for its parent. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Children, grandchildren, ... of a pid, from /proc (Linux); none where /proc is missing. */
export function descendantPids(root: number): number[] {
  if (!existsSync('/proc')) return [];
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = childrenOf.get(parent) ?? [];
    list.push(Number(entry));
    childrenOf.set(parent, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of childrenOf.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
