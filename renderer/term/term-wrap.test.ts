// @vitest-environment jsdom
// TermWrap's input while its session's host can't be reached: refused and said
// so (never sent, never kept for later), and sent again once the session runs.
// A real xterm in jsdom, against a scripted client.
import '../testing/xterm-in-jsdom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttachReply, SessionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { scriptedClient, type Handlers } from '../testing/scripted-client';
import { sessionInfo } from '../testing/session-fixtures';
import { TermWrap } from './term-wrap';

const wraps: TermWrap[] = [];
afterEach(() => {
  for (const wrap of wraps.splice(0)) wrap.dispose();
  document.body.replaceChildren();
});

const away = sessionInfo('s1', { connection: 'viaproxy', backend: 'tmux', status: 'disconnected' });

/** A TermWrap on block b1 attached to `session`, and what it sent and said. */
async function attached(session: SessionInfo, handlers: Handlers = {}) {
  const reply: AttachReply = { zone: session.id, snapshot: new Uint8Array(), offset: 0, session };
  const scripted = scriptedClient({
    attachBlock: async () => reply,
    writeZone: async () => undefined,
    detachZone: async () => undefined,
    ...handlers,
  });
  const refused = vi.fn();
  const host = document.createElement('div');
  document.body.append(host);
  const wrap = new TermWrap(host, scripted.client, 'b1', {
    onSession: () => {},
    onTitle: () => {},
    onError: () => {},
    onDetached: () => {},
    onInputRefused: refused,
  });
  wraps.push(wrap);
  await wrap.attach();
  const type = (keys: string) => window.__tetherTest?.terms.b1?.typeKeys(keys);
  const written = () =>
    scripted.calls.filter((call) => call.name === 'writeZone').map((call) => call.payload);
  return { ...scripted, refused, type, written };
}

describe('TermWrap input while the session is disconnected', () => {
  it('sends nothing, says it was refused, and sends again once the session runs', async () => {
    const { emit, refused, type, written } = await attached(away);
    type('rm -rf build\r');
    expect(written()).toEqual([]);
    expect(refused).toHaveBeenCalledTimes(1);

    emit('sessionChanged', { session: { ...away, status: 'running' } });
    type('ls\r');
    // Only what was typed after: nothing refused was kept for later.
    expect(written()).toEqual([{ zone: 's1', blockId: 'b1', data: 'ls\r' }]);
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it('says so when main refuses keys because the host just went away', async () => {
    const running = { ...away, status: 'running' } as const;
    const { refused, type, written } = await attached(running, {
      writeZone: async () => {
        throw new TetherError('disconnected', 'Not sent: viaproxy cannot be reached now.');
      },
    });
    type('x');
    expect(written()).toHaveLength(1);
    await vi.waitFor(() => expect(refused).toHaveBeenCalledTimes(1));
  });

  it('only logs other failures to send', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const running = { ...away, status: 'running' } as const;
    const { refused, type } = await attached(running, {
      writeZone: async () => {
        throw new TetherError('internal', 'broken');
      },
    });
    type('x');
    await vi.waitFor(() => expect(warn).toHaveBeenCalled());
    expect(refused).not.toHaveBeenCalled();
  });
});
