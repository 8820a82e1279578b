/**
 * TerminalHost.close against real shells: the shell ends, the zone goes, and
 * nothing about the killed shell reaches anyone afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalState } from '../../preload/contract';
import { ptyBackend } from '../backends/pty-backend';
import { createLogger } from '../log';
import { isAlive, processEnds } from '../testing/workspace-fixtures';
import { TerminalHost, type TerminalClient } from './terminal-host';

const BLOCK = '00000000-0000-4000-8000-000000000001';
let host: TerminalHost | undefined;

afterEach(() => {
  host?.dispose();
  host = undefined;
});

function makeHost(exitSettleMs?: number): TerminalHost {
  host = new TerminalHost({
    exitSettleMs,
    backend: ptyBackend,
    shell: () => ({ file: '/bin/bash', args: [] }),
    cwd: process.cwd(),
    env: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' }),
    log: createLogger('silent'),
  });
  return host;
}

function recordingClient() {
  const states: Array<{ zone: string; state: TerminalState }> = [];
  let bytes = 0;
  const client: TerminalClient = {
    id: 'client-1',
    output: (_zone, _offset, data) => {
      bytes += data.byteLength;
    },
    state: (zone, state) => states.push({ zone, state }),
  };
  return { client, states, bytes: () => bytes };
}

const pidOf = (state: TerminalState) => (state.status === 'running' ? state.pid : -1);

describe('TerminalHost.close', () => {
  it('kills the shell and forgets the zone, telling followers nothing', async () => {
    const terminals = makeHost();
    const { client, states, bytes } = recordingClient();
    const reply = terminals.attach(BLOCK, client, 80, 24);
    const pid = pidOf(reply.state);
    expect(isAlive(pid)).toBe(true);

    terminals.close(BLOCK);
    const after = bytes();
    expect(await processEnds(pid)).toBe(true);
    // Past the exit settle delay: a late exit report would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(states).toEqual([]);
    expect(bytes()).toBe(after);
    expect(() => terminals.write(reply.zone, client.id, 'x')).toThrow(/Not attached/);
  });

  it('is a no-op for an unknown block, and a later attach starts afresh', async () => {
    const terminals = makeHost();
    terminals.close('00000000-0000-4000-8000-00000000dead');
    const { client } = recordingClient();
    const first = terminals.attach(BLOCK, client, 80, 24);
    terminals.close(BLOCK);
    terminals.close(BLOCK);
    const second = terminals.attach(BLOCK, client, 80, 24);
    expect(second.zone).not.toBe(first.zone);
    expect(pidOf(second.state)).not.toBe(pidOf(first.state));
    expect(isAlive(pidOf(second.state))).toBe(true);
  });

  it('drops the exit report of a shell that ended just before it was closed', async () => {
    // A long settle delay keeps the exit report pending when close comes.
    const terminals = makeHost(400);
    const { client, states } = recordingClient();
    const reply = terminals.attach(BLOCK, client, 80, 24);
    terminals.write(reply.zone, client.id, 'exit 0\r');
    expect(await processEnds(pidOf(reply.state))).toBe(true);
    terminals.close(BLOCK);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(states).toEqual([]);
  });
});
