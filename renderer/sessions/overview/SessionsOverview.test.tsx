// @vitest-environment jsdom
// The sessions overview, rendered in jsdom against a fake client: groups by
// connection, stale sessions, peeks, choosing a card, opening in a new pane,
// closing, and the loading, empty and error states.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import { TetherError } from '../../../preload/tether-error';
import { linkStatusesAtom, takeStatusEvent } from '../../state/connections';
import { sessionsAtom } from '../../state/sessions';
import { store } from '../../state/store';
import {
  fakePeekClient as fakeClient,
  knownSessions as known,
  sessionInfo,
  type FakePeekClient as Fake,
} from '../../testing/session-fixtures';
import { SessionsOverview, type OverviewActions } from './SessionsOverview';

/** Active just now, unless the test says otherwise. */
const session = (id: string, changes: Partial<SessionInfo> = {}) =>
  sessionInfo(id, { lastActiveAt: Date.now(), ...changes });

function renderOverview(fake: Fake, opens = true) {
  const log: string[] = [];
  const actions = {
    reveal: vi.fn(async (id: string) => {
      log.push(`reveal ${id}`);
      return true;
    }),
    openInNewPane: vi.fn(async (id: string) => {
      log.push(`open ${id}`);
      return opens;
    }),
  } satisfies OverviewActions;
  const onClose = vi.fn(() => void log.push('close'));
  render(
    <Provider store={store}>
      <SessionsOverview client={fake.client} actions={actions} onClose={onClose} />
    </Provider>,
  );
  return { actions, onClose, log };
}

const sessions = [
  session('local-old', { lastActiveAt: 100 }),
  session('local-new', { lastActiveAt: 200 }),
  session('devbox-a', { connection: 'devbox', status: 'disconnected' }),
  session('devbox-b', { connection: 'devbox', lastActiveAt: 1 }),
];

const cardNames = (group: HTMLElement) =>
  within(group)
    .getAllByRole('button', { name: /, (running|disconnected)/ })
    .map((button) => button.getAttribute('aria-label'));

beforeEach(() => {
  store.set(sessionsAtom, {});
  store.set(linkStatusesAtom, {});
});

afterEach(() => {
  cleanup();
});

describe('SessionsOverview', () => {
  it('groups sessions by connection, local first, most recent first', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    renderOverview(fake);

    const groups = await screen.findAllByRole('group');
    expect(groups.map((group) => group.getAttribute('aria-label'))).toEqual([
      'Sessions on local',
      'Sessions on devbox',
    ]);
    expect(cardNames(groups[0]!)).toEqual(['local-ne, running', 'local-ol, running']);
    expect(cardNames(groups[1]!)).toEqual(['devbox-a, disconnected, stale', 'devbox-b, running']);
    expect(fake.peekCalls).toEqual([{ lines: 3 }]);
  });

  it('marks a session on a connection that is down as stale', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    renderOverview(fake);

    const stale = await screen.findByRole('button', { name: 'devbox-a, disconnected, stale' });
    expect(within(stale).getByText('stale')).toBeDefined();
    const fine = screen.getByRole('button', { name: 'devbox-b, running' });
    expect(within(fine).queryByText('stale')).toBeNull();
  });

  it('says what brings a disconnected session back, as its connection tells', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    renderOverview(fake);

    const away = await screen.findByRole('button', { name: 'devbox-a, disconnected, stale' });
    // Nothing heard of devbox yet (after a restart): showing the session reconnects it.
    expect(within(away).getByText(/^disconnected — reconnecting… · /)).toBeDefined();
    act(() =>
      takeStatusEvent({
        connection: 'devbox',
        state: 'disconnected',
        message: 'Connection refused',
        retryAt: Date.now() + 5_000,
        silentSince: null,
      }),
    );
    // The countdown starts from the next tick of the clock, at once.
    expect(await within(away).findByText(/^disconnected — reconnecting in 5 s · /)).toBeDefined();
    const fine = screen.getByRole('button', { name: 'devbox-b, running, stale' });
    expect(within(fine).getByText(/^running · /)).toBeDefined();
  });

  it('marks every live session on a connection whose link is down as stale', async () => {
    const fake = fakeClient();
    known(fake, [
      ...sessions,
      session('devbox-c', { connection: 'devbox', status: 'done', lastActiveAt: 0 }),
    ]);
    store.set(linkStatusesAtom, {
      devbox: {
        connection: 'devbox',
        state: 'disconnected',
        message: 'Connection lost',
        retryAt: null,
        silentSince: null,
        since: 0,
      },
    });
    renderOverview(fake);

    expect(await screen.findByRole('button', { name: 'devbox-b, running, stale' })).toBeDefined();
    // A done session shows its last screen for good: nothing about it is stale.
    expect(screen.getByRole('button', { name: 'devbox-c, done' })).toBeDefined();
    expect(screen.getByRole('button', { name: 'local-ne, running' })).toBeDefined();
  });

  it('shows a peek at the last lines of each session', async () => {
    const fake = fakeClient();
    known(fake, sessions, { 'local-new': ['$ make test', '42 passed'] });
    renderOverview(fake);

    const card = await screen.findByRole('button', { name: 'local-ne, running' });
    await waitFor(() =>
      expect(within(card).getByLabelText('Last lines').textContent).toBe('$ make test\n42 passed'),
    );
  });

  it('starts with the keyboard on the first card', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    renderOverview(fake);
    const first = await screen.findByRole('button', { name: 'local-ne, running' });
    expect(document.activeElement).toBe(first);
  });

  it('reveals a chosen session, then closes', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    const { log, onClose } = renderOverview(fake);

    fireEvent.click(await screen.findByRole('button', { name: 'devbox-b, running' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(log).toEqual(['reveal devbox-b', 'close']);
  });

  it('opens a session in a new pane, then closes', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    const { actions, log, onClose } = renderOverview(fake);

    fireEvent.click(await screen.findByRole('button', { name: 'Open local-ol in a new pane' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(log).toEqual(['open local-old', 'close']);
    expect(actions.reveal).not.toHaveBeenCalled();
  });

  it('stays open when a new pane is refused', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    const { actions, onClose } = renderOverview(fake, false);

    fireEvent.click(await screen.findByRole('button', { name: 'Open local-ol in a new pane' }));
    await waitFor(() => expect(actions.openInNewPane).toHaveBeenCalledWith('local-old'));
    // Let the refused action's promise settle before looking.
    await new Promise((settled) => setTimeout(settled, 0));
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog', { name: 'Sessions overview' })).toBeTruthy();
  });

  it('closes on Escape and with the Close button', async () => {
    const fake = fakeClient();
    known(fake, sessions);
    const { onClose } = renderOverview(fake);

    fireEvent.keyDown(await screen.findByRole('button', { name: 'local-ne, running' }), {
      key: 'Escape',
    });
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('says it is loading while the list is on its way', async () => {
    const fake = fakeClient();
    renderOverview(fake);
    expect((await screen.findByRole('status')).textContent).toBe('Loading sessions…');
  });

  it('says there are no sessions once the empty list arrives', async () => {
    const fake = fakeClient();
    fake.reply([]);
    renderOverview(fake);
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('No sessions yet.'));
    expect(screen.queryAllByRole('group')).toHaveLength(0);
  });

  it('says why the list could not be loaded, and Retry asks again', async () => {
    const fake = fakeClient();
    fake.fail(new TetherError('internal', 'The core did not answer.'));
    renderOverview(fake);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Sessions could not be loaded: The core did not answer.');

    fake.reply(sessions);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(fake.peekCalls).toHaveLength(2);
    expect(await screen.findAllByRole('group')).toHaveLength(2);
  });
});
