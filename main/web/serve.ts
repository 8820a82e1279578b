/**
 * `npm run serve`: run the core in plain Node and serve it to a browser on
 * this machine. Stdout carries exactly one line, `Tether is running at <url>`,
 * which tests and the benchmark parse; everything else goes to stderr.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core';
import { defaultDataDir } from '../data-dir';
import { createLogger } from '../log';
import { parseServeArgs, SERVE_USAGE } from './serve-args';
import { startWebHost, type WebHost } from './web-host';

async function main(): Promise<void> {
  const parsed = parseServeArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(SERVE_USAGE);
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n\n${SERVE_USAGE}`);
    process.exit(2);
  }
  const { port, shell } = parsed.options;
  const dataDir = resolve(parsed.options.dataDir ?? defaultDataDir());
  // Bundled to out/main/serve.js, next to the renderer build in out/renderer.
  const staticDir =
    process.env.TETHER_STATIC_DIR || fileURLToPath(new URL('../renderer', import.meta.url));
  const log = createLogger();

  const core = await createCore({ dataDir, mode: 'browser', shell, log });
  let host: WebHost;
  try {
    host = await startWebHost({ core, staticDir, port, log });
  } catch (error) {
    await core.dispose();
    throw error;
  }
  core.servedAt(host.url);
  for (const notice of core.notices) {
    process.stderr.write(`tether ${notice.level}: ${notice.message}\n`);
  }
  process.stdout.write(`Tether is running at ${host.url}\n`);
  stopOnSignals(host, core);
}

function stopOnSignals(host: WebHost, core: Core): void {
  let stopping = false;
  const stop = (): void => {
    // A second Ctrl-C while closing should not start a second shutdown.
    if (stopping) return;
    stopping = true;
    host
      .close()
      .then(() => core.dispose())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`tether: error while stopping: ${describe(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  process.stderr.write(`tether: could not start: ${describe(error)}\n`);
  process.exit(1);
});
