// @vitest-environment jsdom
// The session part of a block header: the name, a quiet "not durable" tag
// (its reason in the tooltip and description) for shells that end with the app,
// and what brings back a session whose host can't be reached, counting down.
import { act, cleanup, render, screen } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus, SessionInfo } from '../../preload/contract';
import { linkStatusesAtom, takeStatusEvent } from '../state/connections';
import { store } from '../state/store';
import { sessionInfo } from '../testing/session-fixtures';
import { SessionIndicator } from './SessionIndicator';

const NO_TMUX =
  'tmux is not installed, so local shells end when Tether quits. Install tmux 3.0a or newer to keep them.';
const PLAIN_SSH = 'SSH shells run without tmux on the host yet: a lost connection ends them.';

function indicator(session: SessionInfo | null) {
  return (
    <Provider store={store}>
      <header className="block-header">
        <SessionIndicator
          session={session}
          detached={session === null}
          terminalTitle=""
          pickerOpen={false}
          onTogglePicker={vi.fn()}
          onReach={vi.fn()}
          shortcut="Ctrl+Shift+S"
        />
      </header>
    </Provider>
  );
}

function renderIndicator(session: SessionInfo | null) {
  return render(indicator(session));
}

const tell = (status: Partial<ConnectionStatus>) =>
  act(() =>
    takeStatusEvent({
      connection: 'viaproxy',
      state: 'connected',
      message: null,
      retryAt: null,
      silentSince: null,
      ...status,
    }),
  );

const marker = () => screen.queryByRole('img', { name: 'Not durable' });

beforeEach(() => store.set(linkStatusesAtom, {}));
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('SessionIndicator', () => {
  it('tags a local pty session as not durable, saying why on hover and to screen readers', () => {
    renderIndicator(sessionInfo('a1b2c3d4e5', { name: 'build', notDurable: NO_TMUX }));
    const tag = screen.getByRole('img', { name: 'Not durable', description: NO_TMUX });
    expect(tag.getAttribute('title')).toBe(NO_TMUX);
    expect(tag.textContent).toContain('not durable');
    // Described explicitly too (not every screen reader reads a title), and hidden, so the
    // reason is not read a second time as text.
    const reason = document.getElementById(tag.getAttribute('aria-describedby') ?? '');
    expect(reason?.textContent).toBe(NO_TMUX);
    expect(reason?.hidden).toBe(true);
    // The tag sits beside the name, which keeps its text.
    expect(screen.getByRole('button', { name: 'Session' }).textContent).toBe('build');
  });

  it('tags a plain SSH session with its own reason', () => {
    renderIndicator(
      sessionInfo('f00dfeed99', { connection: 'devbox', backend: 'plain', notDurable: PLAIN_SSH }),
    );
    expect(marker()?.getAttribute('title')).toBe(PLAIN_SSH);
  });

  it('shows nothing for a durable (tmux) session', () => {
    renderIndicator(sessionInfo('a1b2c3d4e5', { backend: 'tmux', notDurable: null }));
    expect(screen.getByRole('button', { name: 'Session' })).toBeTruthy();
    expect(marker()).toBeNull();
    expect(screen.queryByText('not durable')).toBeNull();
  });

  it('shows nothing without a session', () => {
    renderIndicator(null);
    expect(screen.getByRole('button', { name: 'Session' }).textContent).toBe('No session');
    expect(marker()).toBeNull();
  });

  it('says a disconnected session is reconnecting, counting down, until it runs again', () => {
    vi.useFakeTimers();
    const away = sessionInfo('a1b2c3d4e5', {
      connection: 'viaproxy',
      backend: 'tmux',
      status: 'disconnected',
    });
    tell({ state: 'disconnected', message: 'Connection refused', retryAt: Date.now() + 5_000 });
    const { rerender } = renderIndicator(away);
    expect(screen.getByText('disconnected — reconnecting in 5 s')).toBeTruthy();
    act(() => vi.advanceTimersByTime(2_000));
    expect(screen.getByText('disconnected — reconnecting in 3 s')).toBeTruthy();
    // The words say the status; the dot beside them only colours it.
    expect(screen.queryByRole('img', { name: /^Session status/ })).toBeNull();

    tell({ state: 'connecting' });
    expect(screen.getByText('disconnected — reconnecting…')).toBeTruthy();
    tell({ state: 'connected' });
    expect(screen.getByText('disconnected — resuming…')).toBeTruthy();

    rerender(indicator({ ...away, status: 'running' }));
    expect(screen.queryByText(/disconnected/)).toBeNull();
    expect(screen.getByRole('img', { name: 'Session status: running' })).toBeTruthy();
  });
});
