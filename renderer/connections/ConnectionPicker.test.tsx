// @vitest-environment jsdom
// The connection picker, rendered in jsdom against a scripted client: order,
// link dots, filtering, free entry, invalid text, the keyboard, refusals shown
// inline with what was typed kept, and a login question while a connection opens.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionInfo } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { connectionListAtom, linkStatusesAtom, promptsAtom } from '../state/connections';
import { store } from '../state/store';
import {
  connectionInfo,
  hostKeyPrompt,
  localConnection,
  scriptedClient,
} from '../testing/connection-fixtures';
import { ConnectionPicker } from './ConnectionPicker';

const connections: ConnectionInfo[] = [
  connectionInfo('zeta'),
  localConnection,
  connectionInfo('devbox', {
    lastUsedAt: 200,
    target: 'alice@10.0.0.5:22',
    status: {
      connection: 'devbox',
      state: 'connected',
      message: null,
      retryAt: null,
      silentSince: null,
    },
  }),
  connectionInfo('alpha'),
  connectionInfo('build', { lastUsedAt: 100, fromConfig: false, target: 'bob@build.example:22' }),
];

let anchor: HTMLElement;

function renderPicker(options: {
  list?: ConnectionInfo[] | Promise<ConnectionInfo[]>;
  current?: string | null;
  onChoose?: (connection: string) => Promise<void>;
}) {
  const fake = scriptedClient({
    listConnections: () => Promise.resolve(options.list ?? connections),
    answerPrompt: async () => {},
  });
  const onChoose = vi.fn(options.onChoose ?? (async () => {}));
  const onClose = vi.fn();
  render(
    <Provider store={store}>
      <ConnectionPicker
        client={fake.client}
        anchor={anchor}
        current={options.current ?? null}
        onChoose={onChoose}
        onClose={onClose}
      />
    </Provider>,
  );
  return { fake, onChoose, onClose };
}

const filter = () => screen.getByRole('combobox', { name: 'Filter connections' });
const optionNames = () =>
  within(screen.getByRole('listbox', { name: 'Connections' }))
    .queryAllByRole('option')
    .map((option) => option.getAttribute('aria-label'));
const selected = () => screen.getByRole('option', { selected: true });

beforeEach(() => {
  store.set(connectionListAtom, []);
  store.set(linkStatusesAtom, {});
  store.set(promptsAtom, []);
  anchor = document.createElement('button');
  document.body.append(anchor);
});

afterEach(() => {
  cleanup();
  anchor.remove();
});

describe('ConnectionPicker', () => {
  it('lists local, then recent connections, then the rest of the config, with targets and link states', async () => {
    renderPicker({});
    expect(screen.getByRole('dialog', { name: 'Open a connection' })).toBeDefined();
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    expect(optionNames()).toEqual([
      'local',
      'devbox, alice@10.0.0.5:22, connected',
      'build, bob@build.example:22',
      'alpha, tester@alpha.example:22',
      'zeta, tester@zeta.example:22',
    ]);
    const devbox = screen.getByRole('option', { name: /^devbox/ });
    expect(devbox.querySelector('.link-dot.link-ok')).not.toBeNull();
    expect(within(devbox).getByText('alice@10.0.0.5:22')).toBeDefined();
    // Never opened: no dot.
    expect(screen.getByRole('option', { name: /^alpha/ }).querySelector('.link-dot')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(filter()));
    expect(selected().getAttribute('aria-label')).toBe('local');
    expect(filter().getAttribute('aria-activedescendant')).toBe(selected().id);
  });

  it('says it is loading until the list comes', () => {
    renderPicker({ list: new Promise(() => {}) });
    expect(screen.getByRole('status').textContent).toBe('Loading connections…');
  });

  it('starts on the connection the block uses, marked current', async () => {
    renderPicker({ current: 'build' });
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    expect(selected().getAttribute('aria-label')).toBe('build, bob@build.example:22, current');
    expect(selected().getAttribute('aria-current')).toBe('true');
  });

  it('filters by name and target as the user types', async () => {
    renderPicker({});
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    fireEvent.change(filter(), { target: { value: 'ALICE' } });
    // "ALICE" could be a host too: offered after the match it begins.
    expect(optionNames()).toEqual([
      'devbox, alice@10.0.0.5:22, connected',
      'Connect to ALICE, a new SSH connection',
    ]);
    fireEvent.change(filter(), { target: { value: 'tester@zeta' } });
    expect(optionNames()).toEqual([
      'zeta, tester@zeta.example:22',
      'Connect to tester@zeta, a new SSH connection',
    ]);
    fireEvent.change(filter(), { target: { value: 'alp' } });
    expect(optionNames()[0]).toBe('alpha, tester@alpha.example:22');
    expect(selected().getAttribute('aria-label')).toBe('alpha, tester@alpha.example:22');
  });

  it('moves with the arrows, wrapping, and Enter opens the highlighted connection', async () => {
    const { onChoose, onClose } = renderPicker({});
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    fireEvent.keyDown(filter(), { key: 'ArrowDown' });
    expect(selected().getAttribute('aria-label')).toMatch(/^devbox/);
    fireEvent.keyDown(filter(), { key: 'ArrowUp' });
    fireEvent.keyDown(filter(), { key: 'ArrowUp' });
    expect(selected().getAttribute('aria-label')).toMatch(/^zeta/);
    expect(filter().getAttribute('aria-activedescendant')).toBe(selected().id);
    fireEvent.keyDown(filter(), { key: 'Enter' });
    await waitFor(() => expect(onClose).toHaveBeenCalledWith(true));
    expect(onChoose).toHaveBeenCalledWith('zeta');
  });

  it('opens a connection by click', async () => {
    const { onChoose } = renderPicker({});
    fireEvent.click(await screen.findByRole('option', { name: /^alpha/ }));
    await waitFor(() => expect(onChoose).toHaveBeenCalledWith('alpha'));
  });

  it('offers typed user@host:port as a new connection, first, and Enter opens it', async () => {
    const { onChoose } = renderPicker({});
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    fireEvent.change(filter(), { target: { value: 'carol@10.0.0.9:2200' } });
    expect(optionNames()).toEqual(['Connect to carol@10.0.0.9:2200, a new SSH connection']);
    expect(selected().textContent).toContain('Connect to carol@10.0.0.9:2200');
    expect(filter().getAttribute('aria-activedescendant')).toBe(selected().id);
    fireEvent.keyDown(filter(), { key: 'Enter' });
    await waitFor(() => expect(onChoose).toHaveBeenCalledWith('carol@10.0.0.9:2200'));
  });

  it('says why typed text is no connection, and opens nothing on Enter', async () => {
    const { onChoose } = renderPicker({});
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    fireEvent.change(filter(), { target: { value: 'my host' } });
    expect(optionNames()).toEqual([]);
    expect(screen.getByRole('status').textContent).toBe(
      'No connection matches “my host”. Only letters, digits and _ . @ : - % + [ ] can be part of a connection.',
    );
    expect(filter().getAttribute('aria-invalid')).toBe('true');
    fireEvent.keyDown(filter(), { key: 'Enter' });
    expect(onChoose).not.toHaveBeenCalled();
  });

  it('shows a refusal inline and keeps what was typed', async () => {
    const { onChoose, onClose } = renderPicker({
      onChoose: async () => {
        throw new TetherError('invalid_connection', 'No such host in ~/.ssh/config.');
      },
    });
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    fireEvent.change(filter(), { target: { value: 'nohost' } });
    fireEvent.keyDown(filter(), { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBe('No such host in ~/.ssh/config.');
    expect(onChoose).toHaveBeenCalledWith('nohost');
    expect(filter()).toHaveProperty('value', 'nohost');
    expect(filter()).toHaveProperty('readOnly', false);
    expect(document.activeElement).toBe(filter());
    expect(onClose).not.toHaveBeenCalled();
    // Typing again clears the refusal.
    fireEvent.change(filter(), { target: { value: 'nohost2' } });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says why the list could not be loaded, and still takes a typed host', async () => {
    const fake = scriptedClient({
      listConnections: async () => {
        throw new TetherError('internal', 'ssh config unreadable');
      },
    });
    const onChoose = vi.fn(async () => {});
    render(
      <Provider store={store}>
        <ConnectionPicker
          client={fake.client}
          anchor={anchor}
          current={null}
          onChoose={onChoose}
          onClose={() => {}}
        />
      </Provider>,
    );
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Connections could not be loaded: ssh config unreadable',
    );
    fireEvent.change(filter(), { target: { value: 'host.example' } });
    fireEvent.keyDown(filter(), { key: 'Enter' });
    await waitFor(() => expect(onChoose).toHaveBeenCalledWith('host.example'));
  });

  it('shows the login question of the connection it is opening', async () => {
    let finish: () => void = () => {};
    const { fake, onClose } = renderPicker({
      onChoose: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    fireEvent.click(await screen.findByRole('option', { name: /^devbox/ }));
    expect((await screen.findByRole('status')).textContent).toBe('Opening devbox…');

    store.set(promptsAtom, [hostKeyPrompt('p1', 'devbox')]);
    const question = await screen.findByRole('dialog', { name: /authenticity of host/ });
    // Keys in the question are its own: Enter there opens nothing else.
    fireEvent.click(within(question).getByRole('button', { name: 'Connect once' }));
    await waitFor(() =>
      expect(fake.calls.at(-1)).toEqual({
        name: 'answerPrompt',
        payload: { promptId: 'p1', answer: { kind: 'hostKey', choice: 'once' } },
      }),
    );
    finish();
    await waitFor(() => expect(onClose).toHaveBeenCalledWith(true));
  });

  it('closes on Escape', async () => {
    const { onClose } = renderPicker({});
    await waitFor(() => expect(optionNames()).toHaveLength(5));
    fireEvent.keyDown(filter(), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledWith(true);
  });
});
