/**
 * SSH sessions through the whole core, against a real sshd on 127.0.0.1: a
 * block on a Host alias runs a remote shell, prompts reach every window and
 * their answers log in, and many sessions share (and overflow) one link.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SshPrompt } from '../../preload/contract';
import type { CoreOptions } from '../core';
import { Cleanups } from '../testing/ssh/cleanups';
import { writeClientConfig } from '../testing/ssh/client-config';
import { writeJumpHostSetup } from '../testing/ssh/host-setups';
import {
  askAboutHostKeys,
  ended,
  coreOn,
  openBlock,
  running,
  setUp as setUpWith,
  statuses,
  type,
  WAIT_MS,
} from '../testing/ssh/core-ssh';
import { startTestSshd, type TestSshdOptions } from '../testing/ssh/test-sshd';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());
const setUp = (sshd?: TestSshdOptions, ssh?: CoreOptions['ssh']) => setUpWith(cleanups, sshd, ssh);

describe('SSH sessions through the core', () => {
  it('a block on a Host alias runs a remote login shell; typing reaches it', async () => {
    const { client } = await setUp();
    const { block, zone, sessionId } = await openBlock(client, 'testhost');
    expect(block.connection).toBe('testhost');
    // Typed while connecting: kept and sent once the shell runs.
    await type(client, zone, block.id, 'echo "conn=[$SSH_CONNECTION]"\r');
    const session = await running(client, sessionId);
    // The test host has tmux: the session is durable.
    expect(session.backend).toBe('tmux');
    expect(session.notDurable).toBeNull();
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
    const done = await ended(client, sessionId);
    expect(done?.doneReason).toMatch(/Could not connect to testhost: .*host key/i);
    expect(statuses(client, 'testhost').at(-1)).toMatchObject({ state: 'error' });
  });

  it('a changed host key is refused with how to fix it', async () => {
    const { sshd, client } = await setUp({ knownHosts: 'wrongKey' });
    const { sessionId } = await openBlock(client, 'testhost');
    const done = await ended(client, sessionId);
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

  it('a block on a host behind ProxyJump runs its shell there, through the jump sshd', async () => {
    const jump = cleanups.add(await startTestSshd());
    const sshd = cleanups.add(await startTestSshd());
    writeJumpHostSetup(jump, sshd);
    const harness = await coreOn(sshd, cleanups);
    const client = harness.client();
    const { block, zone, sessionId } = await openBlock(client, 'target');
    await running(client, sessionId);
    await type(client, zone, block.id, 'echo "via=[$SSH_CONNECTION]"\r');
    await client.untilText(
      zone,
      new RegExp(`via=\\[127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\]`),
      WAIT_MS,
    );
    expect(jump.log()).toContain('Accepted publickey');
    const listed = await client.request('listConnections', {});
    expect(listed.find((entry) => entry.name === 'target')?.target).toMatch(/ via jumphost$/);
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
