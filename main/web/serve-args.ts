/**
 * Command-line flags of `npm run serve`, parsed without side effects so the
 * CLI's behaviour on every flag can be tested without starting anything.
 */

export type ServeOptions = {
  /** 0 picks a random free port. */
  port: number;
  dataDir?: string;
  shell?: string;
};

export type ParsedServeArgs =
  { kind: 'run'; options: ServeOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const SERVE_USAGE = `Usage: npm run serve -- [options]

Serves Tether to a browser on this machine. Open the printed address: it
carries a per-run access token, and the page keeps it in a cookie.

Options:
  --port N         port on 127.0.0.1 (default: 0, a random free port)
  --data-dir DIR   where Tether keeps its database (default: $TETHER_DATA_DIR,
                   else the desktop app's data directory)
  --shell PATH     run this shell instead of your login shell
  --help           show this help

Tether listens on loopback (127.0.0.1) only. There is no --host flag: the
page is a shell, and it must not be reachable from other machines.

Environment:
  TETHER_STATIC_DIR  where the built renderer is (default: next to this script)
`;

const LOOPBACK_ONLY =
  'Tether only listens on 127.0.0.1; there is no flag to choose another address.';
const VALUE_FLAGS = ['--port', '--data-dir', '--shell'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function isValueFlag(flag: string): flag is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(flag);
}

/** Parse `argv` (without node and the script); a later repeat of a flag wins. */
export function parseServeArgs(argv: readonly string[]): ParsedServeArgs {
  const options: ServeOptions = { port: 0 };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--host' || flag === '--bind' || flag === '--listen') {
      return { kind: 'error', message: LOOPBACK_ONLY };
    }
    if (!isValueFlag(flag)) {
      const what = arg.startsWith('-') ? 'Unknown option' : 'Unexpected argument';
      return { kind: 'error', message: `${what}: ${arg}` };
    }
    let value: string | undefined;
    if (flag !== arg) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[index + 1];
      // `--data-dir --port 1` is a missing value, not a directory called --port.
      if (value !== undefined && !value.startsWith('--')) index++;
      else value = undefined;
    }
    if (value === undefined || value === '') {
      return { kind: 'error', message: `${flag} needs a value` };
    }
    if (flag === '--port') {
      const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(port >= 0 && port <= 65535)) {
        return { kind: 'error', message: `--port must be a number from 0 to 65535, not ${value}` };
      }
      options.port = port;
    } else if (flag === '--data-dir') {
      options.dataDir = value;
    } else {
      options.shell = value;
    }
  }
  return { kind: 'run', options };
}
