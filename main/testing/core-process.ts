/**
 * A core in a process of its own, for tests that kill it as a crash would:
 * `tsx main/testing/core-process.ts <dataDir>` starts a core on tmux, shows
 * the first block's session, types `export X=42`, prints `ready <sessionId>`
 * once the shell has run it, and then waits to be killed.
 */
import { createCore } from '../core';
import { createLogger } from '../log';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: core-process.ts <dataDir>');
  const core = await createCore({
    dataDir,
    mode: 'browser',
    shell: '/bin/bash',
    cwd: dataDir,
    env: { HOME: dataDir, PS1: '$ ' },
    localBackend: 'tmux',
    log: createLogger('silent'),
  });
  let output = '';
  let sessionId = '';
  const client = core.connect((name, payload) => {
    if (name !== 'zoneOutput') return;
    output += Buffer.from((payload as { data: Uint8Array }).data).toString('utf8');
    if (sessionId && /ready-42/.test(output)) {
      process.stdout.write(`ready ${sessionId}\n`);
      sessionId = '';
    }
  });
  const loaded = await client.call('loadWorkspace', {});
  if (!loaded.ok) throw new Error(loaded.error.message);
  const { workspace } = loaded.value as {
    workspace: { activeTabId: string; tabs: { id: string; layout: { focusedBlockId: string } }[] };
  };
  const tab = workspace.tabs.find((each) => each.id === workspace.activeTabId)!;
  const blockId = tab.layout.focusedBlockId;
  const attached = await client.call('attachBlock', { blockId, cols: 80, rows: 24 });
  if (!attached.ok) throw new Error(attached.error.message);
  const { zone } = attached.value as { zone: string };
  sessionId = zone;
  await client.call('writeZone', { zone, blockId, data: 'export X=42; echo ready-$X\r' });
  setInterval(() => {}, 60_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`core-process: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
