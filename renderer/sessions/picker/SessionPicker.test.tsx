// @vitest-environment jsdom
// The session picker popup, rendered in jsdom against a fake client: loading,
// empty, long lists, keyboard moves, load errors, rename, create, delete and
// closing. Peeks arrive through the real usePeeks, which writes the global store.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionInfo } from '../../../preload/contract';
import { TetherError } from '../../../preload/tether-error';
import { linkStatusesAtom } from '../../state/connections';
import { sessionsAtom } from '../../state/sessions';
import { store } from '../../state/store';
import {
  fakePeekClient as fakeClient,
  knownSessions as known,
  sessionInfo,
} from '../../testing/session-fixtures';
import { ROW_HEIGHT } from './list-window';
import { SessionPicker, type PickerActions } from './SessionPicker';

/** Active just now, unless the test says otherwise. */
const session = (id: string, changes: Partial<SessionInfo> = {}) =>
  sessionInfo(id, { lastActiveAt: Date.now(), ...changes });

/** Actions that log what they were asked, in order, and succeed. */
function fakeActions(log: string[] = []) {
  const logged = (entry: string) => {
    log.push(entry);
  };
  return {
    show: vi.fn(async (id: string): Promise<void> => logged(`show ${id}`)),
    create: vi.fn(async (name: string | null): Promise<SessionInfo> => {
      logged(`create ${name}`);
      return session('created-1');
    }),
    rename: vi.fn(async (id: string, name: string | null): Promise<void> =>
      logged(`rename ${id} ${name}`),
    ),
    remove: vi.fn(async (id: string): Promise<void> => logged(`remove ${id}`)),
    detach: vi.fn(async (one: SessionInfo): Promise<void> => logged(`detach ${one.id}`)),
    openInNewPane: vi.fn(async (id: string): Promise<boolean> => {
      logged(`open ${id}`);
      return true;
    }),
  } satisfies PickerActions;
}

let anchor: HTMLElement;

function renderPicker(options: {
  fake: ReturnType<typeof fakeClient>;
  connection?: string;
  actions?: PickerActions;
  current?: string | null;
  onClose?: (refocus: boolean) => void;
}) {
  const onClose = options.onClose ?? vi.fn();
  render(
    <Provider store={store}>
      <SessionPicker
        client={options.fake.client}
        connection={options.connection ?? 'local'}
        currentSessionId={options.current ?? null}
        anchor={anchor}
        actions={options.actions ?? fakeActions()}
        onClose={onClose}
      />
    </Provider>,
  );
  return { onClose };
}

const filter = () => screen.getByRole('combobox', { name: 'Filter sessions' });
const selected = () => screen.getByRole('option', { selected: true });
/** A row's buttons: the pointer over it highlights it, and only the highlighted row has them. */
function actionsFor(name: string): HTMLElement {
  fireEvent.mouseMove(rowOf(screen.getByRole('option', { name: new RegExp(`^${name},`) })));
  return screen.getByRole('group', { name: `Actions for ${name}` });
}
const rowOf = (option: HTMLElement) => option.closest('li') as HTMLElement;

beforeEach(() => {
  store.set(sessionsAtom, {});
  store.set(linkStatusesAtom, {});
  anchor = document.createElement('button');
  anchor.textContent = 'session';
  document.body.append(anchor);
});

afterEach(() => {
  cleanup();
  anchor.remove();
});

describe('SessionPicker', () => {
  it('says what brings back a session whose host cannot be reached', async () => {
    const fake = fakeClient();
    known(fake, [
      session('away-session', { connection: 'devbox', status: 'disconnected' }),
      session('done-session', { connection: 'devbox', status: 'done', lastActiveAt: 0 }),
    ]);
    store.set(linkStatusesAtom, {
      devbox: {
        connection: 'devbox',
        state: 'disconnected',
        message: 'Connection refused',
        retryAt: Date.now() + 5_000,
        silentSince: null,
        since: 0,
      },
    });
    renderPicker({ fake, connection: 'devbox' });

    const away = await screen.findByRole('option', { name: /^away-ses, disconnected/ });
    expect(
      within(away).getByText(/^disconnected — reconnecting in 5 s · not shown · /),
    ).toBeDefined();
    const done = screen.getByRole('option', { name: /^done-ses, done/ });
    expect(within(done).getByText(/^done · not shown · /)).toBeDefined();
  });

  it('says it is loading while the list is on its way and no session is known', async () => {
    const fake = fakeClient();
    fake.hang();
    renderPicker({ fake });
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Loading sessions…');
    expect(screen.queryAllByRole('option')).toHaveLength(0);
    expect(fake.peekCalls).toEqual([{ connection: 'local', lines: 3 }]);
  });

  it('says there are no sessions, and still offers to create one', async () => {
    const fake = fakeClient();
    fake.reply([]);
    renderPicker({ fake });
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('No sessions on local.'),
    );
    expect(screen.getByRole('button', { name: '+ Create new session' })).toBeDefined();
  });

  it('lists many sessions most recent first, rendering only a window of them, and starts on the current one', async () => {
    const fake = fakeClient();
    const now = Date.now();
    const sessions = Array.from({ length: 200 }, (_, index) =>
      session(`s${String(index).padStart(3, '0')}-session`, { lastActiveAt: now - index * 1000 }),
    );
    known(fake, [...sessions].reverse());
    renderPicker({ fake, current: 's150-session' });

    const all = { hidden: true };
    const options = await screen.findAllByRole('option', all);
    // The DOM holds the first rows (nothing is laid out here, so an assumed height) plus the
    // highlighted row, each saying where it sits in the whole list.
    expect(options.length).toBeLessThan(20);
    const ids = options.map((option) => rowOf(option).dataset.sessionId);
    expect(ids.slice(0, -1)).toEqual(sessions.slice(0, ids.length - 1).map((one) => one.id));
    expect(ids.at(-1)).toBe('s150-session');
    for (const option of options) expect(option.getAttribute('aria-setsize')).toBe('200');
    const current = screen.getByRole('option', { ...all, name: 's150-ses, running, current' });
    expect(current.getAttribute('aria-posinset')).toBe('151');
    expect(rowOf(current).style.top).toBe(`${150 * ROW_HEIGHT}px`);
    expect(current.getAttribute('aria-selected')).toBe('true');
    expect(screen.getAllByRole('option', { ...all, selected: true })).toEqual([current]);
    expect(filter().getAttribute('aria-activedescendant')).toBe(current.id);
    await waitFor(() => expect(document.activeElement).toBe(filter()));

    fireEvent.keyDown(filter(), { key: 'ArrowDown' });
    expect(rowOf(selected()).dataset.sessionId).toBe('s151-session');
    expect(filter().getAttribute('aria-activedescendant')).toBe(selected().id);

    fireEvent.change(filter(), { target: { value: 'S19' } });
    const matching = screen.getAllByRole('option', all);
    expect(matching.map((option) => rowOf(option).dataset.sessionId)).toEqual(
      sessions.slice(190, 190 + matching.length).map((one) => one.id),
    );
    expect(matching[0]!.getAttribute('aria-setsize')).toBe('10');
  });

  it('filters as the user types', async () => {
    const fake = fakeClient();
    known(fake, [
      session('aaaa0000', { displayName: 'build', name: 'build' }),
      session('bbbb0000', { displayName: 'logs', topic: 'tail -f app.log' }),
      session('cccc0000', { displayName: 'cccc0000' }),
    ]);
    renderPicker({ fake });
    await screen.findAllByRole('option');

    fireEvent.change(filter(), { target: { value: 'TAIL' } });
    expect(
      screen.getAllByRole('option').map((option) => option.getAttribute('aria-label')),
    ).toEqual(['logs, running']);
    // The first match is highlighted, so Enter picks it.
    expect(selected().getAttribute('aria-label')).toBe('logs, running');

    fireEvent.change(filter(), { target: { value: 'zzz' } });
    expect(screen.queryAllByRole('option')).toHaveLength(0);
    expect(screen.getByRole('status').textContent).toBe('No session matches “zzz”.');
  });

  it('moves the highlight with the arrows, wrapping, and Enter shows it and closes', async () => {
    const fake = fakeClient();
    const log: string[] = [];
    const actions = fakeActions(log);
    known(fake, [
      session('first000', { lastActiveAt: 300 }),
      session('second00', { lastActiveAt: 200 }),
      session('third000', { lastActiveAt: 100 }),
    ]);
    const onClose = vi.fn(() => void log.push('close'));
    renderPicker({ fake, actions, current: 'second00', onClose });
    await screen.findAllByRole('option');
    const highlighted = () => rowOf(selected()).dataset.sessionId;

    expect(highlighted()).toBe('second00');
    fireEvent.keyDown(filter(), { key: 'ArrowDown' });
    expect(highlighted()).toBe('third000');
    fireEvent.keyDown(filter(), { key: 'ArrowDown' });
    expect(highlighted()).toBe('first000');
    fireEvent.keyDown(filter(), { key: 'ArrowUp' });
    expect(highlighted()).toBe('third000');
    expect(filter().getAttribute('aria-activedescendant')).toBe(selected().id);
    expect(screen.getAllByRole('option', { selected: true })).toHaveLength(1);

    fireEvent.keyDown(filter(), { key: 'Enter' });
    await waitFor(() => expect(onClose).toHaveBeenCalledWith(true));
    expect(log).toEqual(['show third000', 'close']);
  });

  it('shows a peek of each session in its row', async () => {
    const fake = fakeClient();
    known(fake, [session('aaaa0000'), session('bbbb0000')], {
      aaaa0000: ['$ make', 'all good'],
    });
    renderPicker({ fake });
    const option = await screen.findByRole('option', { name: 'aaaa0000, running' });
    expect(await within(option).findByText('all good')).toBeDefined();
    expect(within(option).getByText('$ make')).toBeDefined();
    const other = screen.getByRole('option', { name: 'bbbb0000, running' });
    await waitFor(() => expect(within(other).getByText('(no output)')).toBeDefined());
  });

  it('says why the list could not be loaded, and Retry asks again', async () => {
    const fake = fakeClient();
    fake.fail(new TetherError('storage_failed', 'The database is locked.'));
    renderPicker({ fake });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Sessions could not be loaded: The database is locked.');
    expect(fake.peekCalls).toHaveLength(1);

    fake.reply([session('aaaa0000')]);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(fake.peekCalls).toHaveLength(2);
    expect(await screen.findByRole('option', { name: 'aaaa0000, running' })).toBeDefined();
  });

  it('renames with F2, keeps the input on a refusal, and Escape cancels without closing', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    actions.rename.mockRejectedValueOnce(
      new TetherError('name_taken', 'Another session on this connection has that name.'),
    );
    known(fake, [session('aaaa0000'), session('bbbb0000', { lastActiveAt: 0 })]);
    const { onClose } = renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.keyDown(filter(), { key: 'F2' });
    const input = screen.getByRole('textbox', { name: 'New name for aaaa0000' });
    await waitFor(() => expect(document.activeElement).toBe(input));
    fireEvent.change(input, { target: { value: 'taken' } });
    fireEvent.keyDown(input, { key: 'Enter' });

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Another session on this connection has that name.');
    expect(actions.rename).toHaveBeenCalledWith('aaaa0000', 'taken');
    const kept = screen.getByRole('textbox', { name: 'New name for aaaa0000' });
    await waitFor(() => expect(kept).toHaveProperty('readOnly', false));
    expect(kept).toHaveProperty('value', 'taken');
    expect(document.activeElement).toBe(kept);

    fireEvent.keyDown(kept, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'New name for aaaa0000' })).toBeNull();
    expect(screen.getByRole('option', { name: 'aaaa0000, running' })).toBeDefined();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('keeps the keyboard in the name input while a name is being checked', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    let refuse: (error: unknown) => void = () => {};
    actions.rename.mockImplementationOnce(
      () => new Promise<void>((_resolve, reject) => (refuse = reject)),
    );
    known(fake, [session('aaaa0000')]);
    renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.keyDown(filter(), { key: 'F2' });
    const input = screen.getByRole('textbox', { name: 'New name for aaaa0000' });
    fireEvent.change(input, { target: { value: 'taken' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    // Chromium blurs a focused control that becomes disabled (jsdom does not), so a
    // busy input must stay enabled to keep the keyboard for a retry or Escape.
    await waitFor(() => expect(input).toHaveProperty('readOnly', true));
    expect(input).toHaveProperty('disabled', false);
    expect(document.activeElement).toBe(input);

    refuse(new TetherError('name_taken', 'Another session on this connection has that name.'));
    await screen.findByRole('alert');
    expect(document.activeElement).toBe(input);
  });

  it('gives only the highlighted row its buttons', async () => {
    const fake = fakeClient();
    known(fake, [session('aaaa0000'), session('bbbb0000', { lastActiveAt: 0 })]);
    renderPicker({ fake });
    await screen.findAllByRole('option');

    expect(screen.getByRole('group', { name: 'Actions for aaaa0000' })).toBeDefined();
    expect(screen.queryByRole('group', { name: 'Actions for bbbb0000' })).toBeNull();
    fireEvent.keyDown(filter(), { key: 'ArrowDown' });
    expect(screen.queryByRole('group', { name: 'Actions for aaaa0000' })).toBeNull();
    expect(screen.getByRole('group', { name: 'Actions for bbbb0000' })).toBeDefined();
  });

  it('renames from the Rename button and closes the editor once renamed', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000'), session('bbbb0000', { lastActiveAt: 0 })]);
    renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    const buttons = actionsFor('bbbb0000');
    fireEvent.click(within(buttons).getByRole('button', { name: 'Rename' }));
    const input = screen.getByRole('textbox', { name: 'New name for bbbb0000' });
    fireEvent.change(input, { target: { value: '  logs  ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() =>
      expect(screen.queryByRole('textbox', { name: 'New name for bbbb0000' })).toBeNull(),
    );
    expect(actions.rename).toHaveBeenCalledWith('bbbb0000', 'logs');
  });

  it('renames to nothing (unnamed again) from a blank name', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000', { name: 'build', displayName: 'build' })]);
    renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.keyDown(filter(), { key: 'F2' });
    const input = screen.getByRole('textbox', { name: 'New name for build' });
    expect(input).toHaveProperty('value', 'build');
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(actions.rename).toHaveBeenCalledWith('aaaa0000', null));
  });

  it.each([
    ['too long', 'x'.repeat(65), 'at most 64 characters'],
    ['with a control character', 'bad\u0007name', 'control characters'],
    ['with half a surrogate pair', 'sur-\ud800', 'incomplete character'],
    ['that turns text around', 'invoice\u202egnp.exe', 'text-direction marks'],
    ['with a zero-width space', 'w\u200bork', 'invisible characters'],
  ])('refuses a name %s at once, keeping the old one', async (_what, name, problem) => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000', { name: 'build', displayName: 'build' })]);
    renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.keyDown(filter(), { key: 'F2' });
    const input = screen.getByRole('textbox', { name: 'New name for build' });
    fireEvent.change(input, { target: { value: name } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toContain(problem);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(actions.rename).not.toHaveBeenCalled();
  });

  it('creates an unnamed session from a blank name, shows it and closes', async () => {
    const fake = fakeClient();
    const log: string[] = [];
    const actions = fakeActions(log);
    fake.reply([]);
    const onClose = vi.fn(() => void log.push('close'));
    renderPicker({ fake, actions, onClose });

    fireEvent.click(await screen.findByRole('button', { name: '+ Create new session' }));
    const input = screen.getByRole('textbox', { name: 'New session name' });
    expect(input.getAttribute('placeholder')).toBe('Session name (optional)');
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.keyDown(input, { key: 'Enter' });

    await waitFor(() => expect(onClose).toHaveBeenCalledWith(true));
    expect(log).toEqual(['create null', 'show created-1', 'close']);
  });

  it('cancels creating with Escape without closing', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    fake.reply([]);
    const { onClose } = renderPicker({ fake, actions });

    fireEvent.click(await screen.findByRole('button', { name: '+ Create new session' }));
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'New session name' }), {
      key: 'Escape',
    });
    expect(screen.queryByRole('textbox', { name: 'New session name' })).toBeNull();
    expect(screen.getByRole('button', { name: '+ Create new session' })).toBeDefined();
    expect(actions.create).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('asks before deleting', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000'), session('bbbb0000', { lastActiveAt: 0 })]);
    const { onClose } = renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    const buttons = actionsFor('bbbb0000');
    fireEvent.click(within(buttons).getByRole('button', { name: 'Delete' }));
    const confirm = screen.getByRole('group', { name: 'Delete bbbb0000?' });
    expect(actions.remove).not.toHaveBeenCalled();

    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(actions.remove).toHaveBeenCalledWith('bbbb0000'));
    await waitFor(() =>
      expect(screen.queryByRole('group', { name: 'Delete bbbb0000?' })).toBeNull(),
    );
    expect(onClose).not.toHaveBeenCalled();
  });

  it('cancels a delete without deleting', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000')]);
    renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const confirm = screen.getByRole('group', { name: 'Delete aaaa0000?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Delete aaaa0000?' })).toBeNull();
    expect(actions.remove).not.toHaveBeenCalled();
  });

  it('opens a session in a new pane and closes without taking the keyboard back', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000')]);
    const { onClose } = renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.click(screen.getByRole('button', { name: 'Open in new pane' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledWith(false));
    expect(actions.openInNewPane).toHaveBeenCalledWith('aaaa0000');
  });

  it('stays open when opening in a new pane is refused', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    actions.openInNewPane.mockResolvedValueOnce(false);
    known(fake, [session('aaaa0000')]);
    const { onClose } = renderPicker({ fake, actions });
    await screen.findAllByRole('option');

    fireEvent.click(screen.getByRole('button', { name: 'Open in new pane' }));
    await waitFor(() => expect(actions.openInNewPane).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(onClose).not.toHaveBeenCalled();
  });

  it('detaches the current session from this pane and closes', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    known(fake, [session('aaaa0000', { attachedBlocks: ['block-1'] })]);
    const { onClose } = renderPicker({ fake, actions, current: 'aaaa0000' });
    await screen.findAllByRole('option');

    fireEvent.click(screen.getByRole('button', { name: 'Detach' }));
    await waitFor(() => expect(onClose).toHaveBeenCalledWith(true));
    expect(actions.detach).toHaveBeenCalledWith(expect.objectContaining({ id: 'aaaa0000' }));
  });

  it('shows a failed action in the popup, which stays open', async () => {
    const fake = fakeClient();
    const actions = fakeActions();
    actions.show.mockRejectedValueOnce(new TetherError('not_found', 'That session is gone.'));
    known(fake, [session('aaaa0000')]);
    const { onClose } = renderPicker({ fake, actions });

    fireEvent.click(await screen.findByRole('option', { name: 'aaaa0000, running' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That session is gone.');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('closes on Escape when nothing is being edited', async () => {
    const fake = fakeClient();
    known(fake, [session('aaaa0000')]);
    const { onClose } = renderPicker({ fake });
    await screen.findAllByRole('option');
    fireEvent.keyDown(filter(), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledWith(true);
  });
});
