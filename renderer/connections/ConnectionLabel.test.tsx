// @vitest-environment jsdom
// The connection label in a block header: the name, a dot and words for each
// link state, nothing for local, and Reconnect when the link is down.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from '../../preload/contract';
import { connectionListAtom, linkStatusesAtom, takeStatusEvent } from '../state/connections';
import { store } from '../state/store';
import { connectionInfo } from '../testing/connection-fixtures';
import { ConnectionLabel } from './ConnectionLabel';

function renderLabel(connection: string) {
  const onReconnect = vi.fn(async () => {});
  const onTogglePicker = vi.fn();
  render(
    <Provider store={store}>
      <ConnectionLabel
        connection={connection}
        pickerOpen={false}
        onTogglePicker={onTogglePicker}
        onReconnect={onReconnect}
        shortcut="Ctrl+Shift+K"
      />
    </Provider>,
  );
  return { onReconnect, onTogglePicker };
}

const tell = (status: Partial<ConnectionStatus>) =>
  act(() =>
    takeStatusEvent({
      connection: 'devbox',
      state: 'connected',
      message: null,
      retryAt: null,
      silentSince: null,
      ...status,
    }),
  );
const label = () => screen.getByRole('button', { name: 'Connection' });
const dot = () => screen.queryByRole('img', { name: /^Link: / });

beforeEach(() => {
  store.set(linkStatusesAtom, {});
  store.set(connectionListAtom, [connectionInfo('devbox', { target: 'alice@10.0.0.5:22' })]);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('ConnectionLabel', () => {
  it('shows local with no dot and no Reconnect', () => {
    renderLabel('local');
    act(() =>
      takeStatusEvent({
        connection: 'local',
        state: 'ready',
        message: null,
        retryAt: null,
        silentSince: null,
      }),
    );
    expect(label().textContent).toBe('local');
    expect(dot()).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('opens the picker on click', () => {
    const { onTogglePicker } = renderLabel('devbox');
    fireEvent.click(label());
    expect(onTogglePicker).toHaveBeenCalled();
    expect(label().getAttribute('aria-haspopup')).toBe('dialog');
  });

  it('follows the link through connecting and connected, with the target in the tooltip', () => {
    renderLabel('devbox');
    tell({ state: 'connecting' });
    expect(label().textContent).toBe('devbox');
    expect(dot()?.getAttribute('aria-label')).toBe('Link: connecting…');
    expect(label().title).toMatch(/^devbox \(alice@10\.0\.0\.5:22\): connecting…/);

    tell({ state: 'connected' });
    expect(dot()?.getAttribute('aria-label')).toBe('Link: connected');
    expect(dot()?.className).toContain('link-ok');
    expect(label().title).toMatch(/^devbox \(alice@10\.0\.0\.5:22\): connected — /);
    expect(label().title).toContain('Ctrl+Shift+K');
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('counts how long a stalled host has not answered', () => {
    vi.useFakeTimers();
    renderLabel('devbox');
    tell({ state: 'stalled' });
    expect(dot()?.getAttribute('aria-label')).toBe('Link: stalled');
    expect(label().title).toContain('stalled: no answer from the host for 0 s');
    act(() => vi.advanceTimersByTime(3_000));
    expect(label().title).toContain('stalled: no answer from the host for 3 s');
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });

  it('counts down to the next attempt when disconnected, and offers Reconnect', async () => {
    vi.useFakeTimers();
    const { onReconnect } = renderLabel('devbox');
    tell({ state: 'disconnected', message: 'Connection lost', retryAt: Date.now() + 5_000 });
    expect(dot()?.className).toContain('link-failed');
    expect(label().title).toContain('disconnected: Connection lost; retrying in 5 s');
    act(() => vi.advanceTimersByTime(2_000));
    expect(label().title).toContain('retrying in 3 s');
    vi.useRealTimers();

    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(onReconnect).toHaveBeenCalledTimes(1);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Reconnect' })).toHaveProperty('disabled', false),
    );
  });

  it('gives the error and offers Reconnect; Reconnect goes once the link is back', () => {
    renderLabel('devbox');
    tell({ state: 'error', message: 'Permission denied (publickey).' });
    expect(dot()?.getAttribute('aria-label')).toBe('Link: error');
    expect(label().title).toContain('error: Permission denied (publickey).');
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeDefined();

    tell({ state: 'connecting' });
    expect(screen.queryByRole('button', { name: 'Reconnect' })).toBeNull();
  });
});
