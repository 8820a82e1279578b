/**
 * Last-resort cleanup when the test process exits without running its
 * afterEach hooks (process.exit, an uncaught error). Only synchronous work runs
 * at 'exit': killing pids, removing directories, spawnSync.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is leaving anyway.
    }
  }
  cleanups.clear();
}

/** Register a synchronous cleanup; call the returned function once it is no longer needed. */
export function cleanUpAtExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
