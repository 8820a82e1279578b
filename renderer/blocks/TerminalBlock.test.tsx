// @vitest-environment jsdom
// A block whose session's host can't be reached: its header says it is
// reconnecting, typing is refused with a notice over the terminal, and the
// notice goes once the session runs again. A real TermWrap against a scripted client.
import '../testing/xterm-in-jsdom';
import { act, cleanup, render, screen } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttachReply } from '../../preload/contract';
import { linkStatusesAtom } from '../state/connections';
import { sessionsAtom } from '../state/sessions';
import { store } from '../state/store';
import { blocksAtom } from '../state/workspace';
import { scriptedClient } from '../testing/scripted-client';
import { sessionInfo } from '../testing/session-fixtures';
import { TerminalBlock } from './TerminalBlock';

const away = sessionInfo('s1', { connection: 'viaproxy', backend: 'tmux', status: 'disconnected' });
const reply: AttachReply = { zone: 's1', snapshot: new Uint8Array(), offset: 0, session: away };
const scripted = scriptedClient({
  attachBlock: async () => reply,
  writeZone: async () => undefined,
  detachZone: async () => undefined,
});

vi.mock('../api/client', () => ({ getClient: () => scripted.client }));

beforeEach(() => {
  store.set(blocksAtom, {
    b1: { id: 'b1', connection: 'viaproxy', createdAt: 1, sessionId: 's1' },
  });
});
afterEach(() => {
  cleanup();
  store.set(blocksAtom, {});
  store.set(sessionsAtom, {});
  store.set(linkStatusesAtom, {});
});

const notice = () => screen.queryByRole('alert');
const type = (keys: string) => act(() => window.__tetherTest?.terms.b1?.typeKeys(keys));

describe('TerminalBlock on a disconnected session', () => {
  it('refuses typing with a notice that goes once the session runs again', async () => {
    render(
      <Provider store={store}>
        <TerminalBlock
          blockId="b1"
          connection="viaproxy"
          focused={false}
          visible={true}
          magnified={false}
          shared={false}
          platform="other"
        />
      </Provider>,
    );
    expect(await screen.findByText('disconnected — reconnecting…')).toBeDefined();
    expect(notice()).toBeNull();

    type('ls\r');
    expect(notice()?.textContent).toContain('Not sent — viaproxy can’t be reached; reconnecting…');
    expect(scripted.calls.some((call) => call.name === 'writeZone')).toBe(false);

    act(() => scripted.emit('sessionChanged', { session: { ...away, status: 'running' } }));
    expect(notice()).toBeNull();
    expect(screen.queryByText(/disconnected/)).toBeNull();
  });
});
