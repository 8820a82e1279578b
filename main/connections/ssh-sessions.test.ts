/**
 * SSH sessions through the whole core, against a real sshd on 127.0.0.1: a
 * block on a Host alias runs a remote shell, prompts reach every window and
 * their answers log in, many sessions share (and overflow) one link, and a
 * lost link ends a plain session with a reason that says so.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus, SessionInfo, SshPrompt } from '../../preload/contract';
import { startHarness, type TestClient } from '../testing/core-harness';
import { Cleanups } from '../testing/ssh/cleanups';
import { startFaultProxy } from '../testing/ssh/fault-proxy';
import { writeClientConfig } from '../testing/ssh/client-config';
import { freePort } from '../testing/ssh/free-port';
import { writeProxySetup } from '../testing/ssh/host-setups';
import { startTestSshd, type TestSshd, type TestSshdOptions } from '../testing/ssh/test-sshd';
import { testResolver } from '../ssh/ssh-connect-testing';

/** Limits for a broken test, never a measure of speed. */
const WAIT_MS = 20_000;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function setUp(sshdOptions: TestSshdOptions = {}, ssh: Record<string, unknown> = {}) {
  const sshd = cleanups.add(await startTestSshd(sshdOptions));
  const harness = await startHarness({
    ssh: { home: sshd.home, agentSocket: undefined, resolve: testResolver(), ...ssh },
  });
  cleanups.add({ stop: () => harness.dispose() });
  return { sshd, harness, client: harness.client() };
}

/** The test HOME's config as a person's usually is: unknown hosts are asked about. */
function askAboutHostKeys(sshd: TestSshd, extra: { alias: string; port: number }[] = []): void {
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

function sessionOf(client: TestClient, sessionId: string): SessionInfo | undefined {
  let latest: SessionInfo | undefined;
  for (const event of client.events) {
    if (event.name !== 'sessionChanged') continue;
    const { session } = event.payload as { session: SessionInfo };
    if (session.id === sessionId) latest = session;
  }
  return latest;
}

function statuses(client: TestClient, connection: string): ConnectionStatus[] {
  return client.events
    .filter((event) => event.name === 'connectionChanged')
    .map((event) => event.payload as ConnectionStatus)
    .filter((status) => status.connection === connection);
}

/** A new block on `connection`, attached, with its session. */
async function openBlock(client: TestClient, connection: string) {
  const block = await client.request('createBlock', { connection });
  const reply = await client.request('attachBlock', { blockId: block.id, cols: 100, rows: 30 });
  return { block, zone: reply.zone, sessionId: block.sessionId! };
}

async function running(client: TestClient, sessionId: string): Promise<SessionInfo> {
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

function type(client: TestClient, zone: string, blockId: string, data: string) {
  return client.request('writeZone', { zone, blockId, data });
}

describe('SSH sessions through the core', () => {
  it('a block on a Host alias runs a remote login shell; typing reaches it', async () => {
    const { client } = await setUp();
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    expect(block.connection).toBe('testhost');
    // Typed while connecting: kept and sent once the shell runs.
    await type(client, zone, block.id, 'echo "conn=[$SSH_CONNECTION]"\r');
    const session = await running(client, sessionId);
    expect(session.backend).toBe('plain');
    expect(session.connection).toBe('testhost');
    await client.untilText(zone, /conn=\[127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\]/, WAIT_MS);
    expect(statuses(client, 'testhost').at(-1)?.state).toBe('connected');
    // The picker lists it first among the connections used, and the config's aliases.
    const connections = await client.request('listConnections', {});
    expect(connections[0]).toMatchObject({ name: 'local', kind: 'local' });
    expect(connections[1]).toMatchObject({
      name: 'testhost',
      kind: 'ssh',
      fromConfig: true,
      status: { state: 'connected' },
    });
    expect(connections[1]?.target).toMatch(/@127\.0\.0\.1:\d+$/);
    expect(connections[1]?.lastUsedAt).toEqual(expect.any(Number));
  });

  it('switches a local block to an SSH connection; the local session keeps running', async () => {
    const { harness, client } = await setUp();
    const { client: first, blockId, reply } = await harness.attachFirst();
    const moved = await first.request('switchConnection', { blockId, connection: 'testhost' });
    expect(moved.connection).toBe('testhost');
    expect(moved.sessionId).not.toBe(reply.zone);
    const attached = await first.request('attachBlock', { blockId, cols: 80, rows: 24 });
    await running(first, attached.zone);
    await type(first, attached.zone, blockId, 'echo "remote=$SSH_CONNECTION"\r');
    await first.untilText(attached.zone, /remote=127\.0\.0\.1/, WAIT_MS);
    const local = await client.request('sessionInfo', { sessionId: reply.zone });
    expect(local).toMatchObject({ status: 'running', attachedBlocks: [] });
  });

  it('asks every window about an unknown host key; "save" writes a line ssh-keygen -F finds', async () => {
    const { sshd, harness, client } = await setUp({ knownHosts: 'empty' });
    askAboutHostKeys(sshd);
    const other = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    const prompt = await client.until(
      () => client.events.find((event) => event.name === 'sshPrompt')?.payload as SshPrompt,
      'a host key prompt',
      WAIT_MS,
    );
    expect(prompt).toMatchObject({ connection: 'testhost', kind: 'hostKey' });
    expect(prompt.hostKey?.fingerprint).toBe(sshd.hostFingerprint);
    expect(prompt.title).toContain(`127.0.0.1 port ${sshd.port}`);
    // A window that opens now sees it too.
    expect(await other.request('pendingPrompts', {})).toEqual([prompt]);
    await other.request('answerPrompt', {
      promptId: prompt.id,
      answer: { kind: 'hostKey', choice: 'save' },
    });
    await running(client, sessionId);
    await client.until(
      () => client.events.some((event) => event.name === 'sshPromptClosed'),
      'the prompt closed',
    );
    const found = execFileSync('ssh-keygen', [
      '-F',
      `[127.0.0.1]:${sshd.port}`,
      '-f',
      sshd.knownHostsPath,
    ]).toString();
    expect(found).toContain('ssh-ed25519');
    await type(client, zone, block.id, 'echo saved-$((6*7))\r');
    await client.untilText(zone, /saved-42/, WAIT_MS);
    // Answered once: a second answer finds nothing.
    const late = await other.call('answerPrompt', {
      promptId: prompt.id,
      answer: { kind: 'hostKey', choice: 'save' },
    });
    expect(late).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a rejected host key ends the session with a reason and starts nothing', async () => {
    const { sshd, client } = await setUp({ knownHosts: 'empty' });
    askAboutHostKeys(sshd);
    const { sessionId } = await openBlock(client, 'testhost');
    const prompt = await client.until(
      () => client.events.find((event) => event.name === 'sshPrompt')?.payload as SshPrompt,
      'a host key prompt',
      WAIT_MS,
    );
    await client.request('answerPrompt', {
      promptId: prompt.id,
      answer: { kind: 'hostKey', choice: 'reject' },
    });
    const done = await client.until(
      () =>
        sessionOf(client, sessionId)?.status === 'done' ? sessionOf(client, sessionId) : undefined,
      'the session done',
      WAIT_MS,
    );
    expect(done?.doneReason).toMatch(/Could not connect to testhost: .*host key/i);
    expect(statuses(client, 'testhost').at(-1)).toMatchObject({ state: 'error' });
  });

  it('a changed host key is refused with how to fix it', async () => {
    const { sshd, client } = await setUp({ knownHosts: 'wrongKey' });
    const { sessionId } = await openBlock(client, 'testhost');
    const done = await client.until(
      () =>
        sessionOf(client, sessionId)?.status === 'done' ? sessionOf(client, sessionId) : undefined,
      'the session done',
      WAIT_MS,
    );
    expect(done?.doneReason).toMatch(/changed/i);
    expect(done?.doneReason).toContain('ssh-keygen -R');
    expect(readFileSync(sshd.knownHostsPath, 'utf8')).not.toContain(sshd.hostFingerprint);
    expect(client.events.some((event) => event.name === 'sshPrompt')).toBe(false);
  });

  it('20 blocks on one host each get a working shell, over more than one link', async () => {
    const { sshd, client } = await setUp();
    const blocks = await Promise.all(
      Array.from({ length: 20 }, () => openBlock(client, 'testhost')),
    );
    for (const { sessionId } of blocks) await running(client, sessionId);
    await Promise.all(
      blocks.map(({ block, zone }, index) =>
        type(client, zone, block.id, `echo "shell-$((${index} + 1000))"\r`),
      ),
    );
    for (const [index, { zone }] of blocks.entries()) {
      await client.untilText(zone, new RegExp(`shell-${index + 1000}`), WAIT_MS);
    }
    // sshd's default MaxSessions is 10: at least two links carried them.
    const logins = sshd.log().match(/Accepted publickey/g) ?? [];
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(logins.length).toBeLessThanOrEqual(4);
  }, 90_000);

  it('a lost link ends a plain session with "Connection lost"; the link comes back by itself', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    const harness = await startHarness({
      ssh: { home: sshd.home, resolve: testResolver(), backoffMs: [200, 500] },
    });
    cleanups.add({ stop: () => harness.dispose() });
    const client = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'viaproxy');
    await running(client, sessionId);
    // Cut once the login shell is at its prompt (not halfway through its rc files).
    await type(client, zone, block.id, 'echo ready-$((2*3))\r');
    await client.untilText(zone, /ready-6/, WAIT_MS);
    proxy.cut();
    const done = await client.until(
      () =>
        sessionOf(client, sessionId)?.status === 'done' ? sessionOf(client, sessionId) : undefined,
      'the session done',
      WAIT_MS,
    );
    expect(done?.doneReason).toMatch(/^Connection lost: /);
    await client.until(
      () => statuses(client, 'viaproxy').some((status) => status.state === 'disconnected'),
      'disconnected',
      WAIT_MS,
    );
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'connected',
      'reconnected',
      WAIT_MS,
    );
    // Restart opens a new shell on the link that came back.
    const again = await client.request('restartSession', {
      sessionId,
      blockId: block.id,
      cols: 80,
      rows: 24,
    });
    expect(again.zone).toBe(sessionId);
    await client.until(
      () => sessionOf(client, sessionId)?.status === 'running',
      'running again',
      WAIT_MS,
    );
    await type(client, zone, block.id, 'echo again-$((3*3))\r');
    await client.untilText(zone, /again-9/, WAIT_MS);
  });

  it('a dead port is refused quickly and retried; Reconnect says why it failed', async () => {
    const { sshd, client } = await setUp();
    askAboutHostKeys(sshd, [{ alias: 'deadhost', port: await freePort() }]);
    const { sessionId } = await openBlock(client, 'deadhost');
    const done = await client.until(
      () =>
        sessionOf(client, sessionId)?.status === 'done' ? sessionOf(client, sessionId) : undefined,
      'the session done',
      WAIT_MS,
    );
    expect(done?.doneReason).toMatch(/refused/i);
    const status = statuses(client, 'deadhost').at(-1);
    expect(status).toMatchObject({
      state: 'disconnected',
      message: expect.stringMatching(/refused/i),
    });
    expect(status?.retryAt).toEqual(expect.any(Number));
    const reconnect = await client.call('reconnect', { connection: 'deadhost' });
    expect(reconnect).toMatchObject({
      ok: false,
      error: { code: 'connection_failed', message: expect.stringMatching(/refused/i) },
    });
  });

  it('asks for the passphrase of an encrypted key in the blocks, and never stores it', async () => {
    const { sshd, client } = await setUp();
    const key = sshd.clientKeys!.encrypted;
    sshd.authorize(key.publicKey);
    writeClientConfig(sshd.clientConfigPath, {
      knownHostsPath: sshd.knownHostsPath,
      hosts: [{ alias: 'locked', endpoint: sshd.endpoint(), identityFile: key.path }],
    });
    const { block, zone, sessionId } = await openBlock(client, 'locked');
    const prompt = await client.until(
      () => client.events.find((event) => event.name === 'sshPrompt')?.payload as SshPrompt,
      'a passphrase prompt',
      WAIT_MS,
    );
    expect(prompt).toMatchObject({
      connection: 'locked',
      kind: 'passphrase',
      fields: [{ label: 'Passphrase', secret: true }],
    });
    expect(prompt.title).toContain(key.path);
    await client.request('answerPrompt', {
      promptId: prompt.id,
      answer: { kind: 'secret', values: [key.passphrase] },
    });
    await running(client, sessionId);
    await type(client, zone, block.id, 'echo unlocked-$((5*5))\r');
    await client.untilText(zone, /unlocked-25/, WAIT_MS);
    // The secret went to ssh2 only: not in any event any window received.
    expect(JSON.stringify(client.events)).not.toContain(key.passphrase);
  });

  it('shows a stalled link, then a lost one, and reconnects when the network returns', async () => {
    const sshd = cleanups.add(await startTestSshd());
    const proxy = cleanups.add(await startFaultProxy({ targetPort: sshd.port }));
    writeProxySetup(sshd, proxy.port);
    // Keepalives every second: stalled after 1.5 s, dropped after 4 s of silence.
    const config = readFileSync(sshd.clientConfigPath, 'utf8');
    writeFileSync(
      sshd.clientConfigPath,
      config.replace(
        'Host viaproxy',
        'Host viaproxy\n  ServerAliveInterval 1\n  ServerAliveCountMax 3',
      ),
    );
    const harness = await startHarness({
      ssh: { home: sshd.home, resolve: testResolver(), backoffMs: [300, 500] },
    });
    cleanups.add({ stop: () => harness.dispose() });
    const client = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'viaproxy');
    await running(client, sessionId);
    await type(client, zone, block.id, 'echo ready-$((2*4))\r');
    await client.untilText(zone, /ready-8/, WAIT_MS);
    proxy.stall();
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'stalled',
      'stalled',
      WAIT_MS,
    );
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'disconnected',
      'disconnected',
      WAIT_MS,
    );
    const done = await client.until(
      () =>
        sessionOf(client, sessionId)?.status === 'done' ? sessionOf(client, sessionId) : undefined,
      'the session done',
      WAIT_MS,
    );
    expect(done?.doneReason).toMatch(/^Connection lost: /);
    proxy.release();
    await client.until(
      () => statuses(client, 'viaproxy').at(-1)?.state === 'connected',
      'reconnected',
      WAIT_MS,
    );
  }, 40_000);

  it('closes a link nothing runs on after a while: the connection shows idle', async () => {
    const { client } = await setUp({}, { linkIdleMs: 200 });
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    await running(client, sessionId);
    await type(client, zone, block.id, 'echo ready-$((3*4))\r');
    await client.untilText(zone, /ready-12/, WAIT_MS);
    await client.request('deleteSession', { sessionId });
    await client.until(
      () => statuses(client, 'testhost').at(-1)?.state === 'idle',
      'idle',
      WAIT_MS,
    );
  });

  it('refuses bad connection names before anything runs', async () => {
    const { client } = await setUp();
    for (const connection of ['-oProxyCommand=touch', 'a b', 'host:99999']) {
      const result = await client.call('createBlock', { connection });
      expect(result).toMatchObject({ ok: false });
      const code = (result as { error: { code: string } }).error.code;
      expect(['invalid_payload', 'invalid_connection']).toContain(code);
    }
    const unknownHost = await client.call('createSession', { connection: 'nosuchhost.invalid' });
    expect(unknownHost).toMatchObject({ ok: true });
  });
});
