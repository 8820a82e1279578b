/**
 * SSH sessions through a whole core against a real test sshd: a core whose
 * ~/.ssh is the sshd's test HOME, and ways to wait on what its events say.
 */
import type { ConnectionStatus, SessionInfo } from '../../../preload/contract';
import { startHarness, type TestClient } from '../core-harness';
import { testResolver } from '../../ssh/ssh-connect-testing';
import type { CoreOptions } from '../../core';
import type { Cleanups } from './cleanups';
import { writeClientConfig } from './client-config';
import { startTestSshd, type TestSshd, type TestSshdOptions } from './test-sshd';

/** Limits for a broken test, never a measure of speed. */
export const WAIT_MS = 20_000;

/** A core on `sshd`'s test HOME (no agent, no real DNS). */
export async function coreOn(sshd: TestSshd, cleanups: Cleanups, ssh: CoreOptions['ssh'] = {}) {
  const harness = await startHarness({
    ssh: { home: sshd.home, agentSocket: undefined, resolve: testResolver(), ...ssh },
  });
  cleanups.add({ stop: () => harness.dispose() });
  return harness;
}

export async function setUp(
  cleanups: Cleanups,
  sshdOptions: TestSshdOptions = {},
  ssh: CoreOptions['ssh'] = {},
) {
  const sshd = cleanups.add(await startTestSshd(sshdOptions));
  const harness = await coreOn(sshd, cleanups, ssh);
  return { sshd, harness, client: harness.client() };
}

/** The test HOME's config as a person's usually is: unknown hosts are asked about. */
export function askAboutHostKeys(
  sshd: TestSshd,
  extra: { alias: string; port: number }[] = [],
): void {
  const identityFile = sshd.clientKeys!.plain.path;
  writeClientConfig(sshd.clientConfigPath, {
    knownHostsPath: sshd.knownHostsPath,
    strictHostKeyChecking: 'ask',
    hosts: [
      { alias: 'testhost', endpoint: sshd.endpoint(), identityFile },
      ...extra.map(({ alias, port }) => ({
        alias,
        endpoint: { ...sshd.endpoint(), port },
        identityFile,
      })),
    ],
  });
}

export function sessionOf(client: TestClient, sessionId: string): SessionInfo | undefined {
  let latest: SessionInfo | undefined;
  for (const event of client.events) {
    if (event.name !== 'sessionChanged') continue;
    const { session } = event.payload as { session: SessionInfo };
    if (session.id === sessionId) latest = session;
  }
  return latest;
}

export function statuses(client: TestClient, connection: string): ConnectionStatus[] {
  return client.events
    .filter((event) => event.name === 'connectionChanged')
    .map((event) => event.payload as ConnectionStatus)
    .filter((status) => status.connection === connection);
}

/** A new block on `connection`, attached, with its session. */
export async function openBlock(client: TestClient, connection: string) {
  const block = await client.request('createBlock', { connection });
  const reply = await client.request('attachBlock', { blockId: block.id, cols: 100, rows: 30 });
  return { block, zone: reply.zone, sessionId: block.sessionId! };
}

export async function running(client: TestClient, sessionId: string): Promise<SessionInfo> {
  return client.until(
    () => {
      const session = sessionOf(client, sessionId);
      if (session?.status === 'done') throw new Error(`session done: ${session.doneReason}`);
      return session?.status === 'running' ? session : undefined;
    },
    `session ${sessionId} running`,
    WAIT_MS,
  );
}

export function type(client: TestClient, zone: string, blockId: string, data: string) {
  return client.request('writeZone', { zone, blockId, data });
}

/** The session once it is done (a shell that exited, a link lost, a login refused). */
export function ended(client: TestClient, sessionId: string): Promise<SessionInfo> {
  return client.until(
    () => {
      const session = sessionOf(client, sessionId);
      return session?.status === 'done' ? session : undefined;
    },
    `session ${sessionId} done`,
    WAIT_MS,
  );
}

/** A block's remote shell is at its prompt (its rc files are read): a command round-trips. */
export async function atPrompt(client: TestClient, zone: string, blockId: string): Promise<void> {
  const marker = `ready-${Math.floor(Math.random() * 1e6)}`;
  await type(client, zone, blockId, `echo ${marker.replace('-', '-""')}\r`);
  await client.untilText(zone, new RegExp(marker), WAIT_MS);
}
