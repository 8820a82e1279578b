// @vitest-environment jsdom
// The login question panel against a scripted client: a host key's buttons
// send the right answers, secret fields submit their values and are cleared,
// Escape and Cancel cancel, and a refusal is shown.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Provider } from 'jotai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PromptAnswer, SshPrompt } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import { promptsAtom } from '../state/connections';
import { store } from '../state/store';
import { hostKeyPrompt, scriptedClient, secretPrompt } from '../testing/connection-fixtures';
import { PromptPanel } from './PromptPanel';

function renderPanel(prompt: SshPrompt, answer?: () => Promise<void>) {
  store.set(promptsAtom, [prompt]);
  const fake = scriptedClient({ answerPrompt: answer ?? (async () => {}) });
  render(
    <Provider store={store}>
      <PromptPanel prompt={prompt} client={fake.client} autoFocus />
    </Provider>,
  );
  const answers = () =>
    fake.calls
      .filter((call) => call.name === 'answerPrompt')
      .map((call) => (call.payload as { promptId: string; answer: PromptAnswer }).answer);
  return { fake, answers };
}

beforeEach(() => store.set(promptsAtom, []));
afterEach(cleanup);

describe('PromptPanel: an unknown host key', () => {
  it('shows the host, key type and fingerprint, and takes the keyboard', () => {
    renderPanel(hostKeyPrompt('p1', 'devbox'));
    const dialog = screen.getByRole('dialog', {
      name: "The authenticity of host [127.0.0.1]:2222 can't be established.",
    });
    expect(within(dialog).getByText('[127.0.0.1]:2222')).toBeDefined();
    expect(within(dialog).getByText('ssh-ed25519')).toBeDefined();
    const fingerprint = within(dialog).getByLabelText('Fingerprint');
    expect(fingerprint.tagName).toBe('CODE');
    expect(fingerprint.textContent).toBe('SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    // Focus is on the question, not on a button Enter would press by accident.
    expect(document.activeElement).toBe(dialog);
  });

  it.each([
    ['Connect once', 'once'],
    ['Connect and save', 'save'],
    ['Cancel', 'reject'],
  ] as const)('%s answers %s and forgets the question', async (button, choice) => {
    const { answers } = renderPanel(hostKeyPrompt('p1', 'devbox'));
    fireEvent.click(screen.getByRole('button', { name: button }));
    await waitFor(() => expect(answers()).toEqual([{ kind: 'hostKey', choice }]));
    await waitFor(() => expect(store.get(promptsAtom)).toEqual([]));
  });

  it('cancels on Escape', async () => {
    const { answers } = renderPanel(hostKeyPrompt('p1', 'devbox'));
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await waitFor(() => expect(answers()).toEqual([{ kind: 'cancel' }]));
  });

  it('forgets a question answered elsewhere', async () => {
    renderPanel(hostKeyPrompt('p1', 'devbox'), async () => {
      throw new TetherError('not_found', 'No such prompt.');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Connect once' }));
    await waitFor(() => expect(store.get(promptsAtom)).toEqual([]));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows any other refusal and keeps the question', async () => {
    renderPanel(hostKeyPrompt('p1', 'devbox'), async () => {
      throw new TetherError('internal', 'known_hosts could not be written.');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Connect and save' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'known_hosts could not be written.',
    );
    expect(store.get(promptsAtom)).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Connect and save' })).toHaveProperty(
      'disabled',
      false,
    );
  });
});

describe('PromptPanel: secrets', () => {
  it('focuses the first field, hides secret ones, and Enter submits the values, then clears them', async () => {
    const prompt = secretPrompt('p2', 'devbox', [
      { label: 'Verification code', secret: false },
      { label: 'Password', secret: true },
    ]);
    const { answers } = renderPanel(prompt);
    const code = screen.getByLabelText('Verification code') as HTMLInputElement;
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(document.activeElement).toBe(code);
    expect(code.type).toBe('text');
    expect(password.type).toBe('password');

    fireEvent.change(code, { target: { value: '123456' } });
    fireEvent.change(password, { target: { value: 'hunter2' } });
    fireEvent.submit(password.form!);
    await waitFor(() =>
      expect(answers()).toEqual([{ kind: 'secret', values: ['123456', 'hunter2'] }]),
    );
    expect(code.value).toBe('');
    expect(password.value).toBe('');
    // Nothing typed reached the store.
    expect(JSON.stringify(store.get(promptsAtom))).not.toContain('hunter2');
  });

  it('submits with the Continue button', async () => {
    const { answers } = renderPanel(secretPrompt('p2', 'devbox'));
    fireEvent.change(screen.getByLabelText('Passphrase'), { target: { value: 'open sesame' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(answers()).toEqual([{ kind: 'secret', values: ['open sesame'] }]));
  });

  it('cancels with Escape or Cancel, sending no secret', async () => {
    const { answers } = renderPanel(secretPrompt('p2', 'devbox'));
    const field = screen.getByLabelText('Passphrase');
    fireEvent.change(field, { target: { value: 'half-typed' } });
    fireEvent.keyDown(field, { key: 'Escape' });
    await waitFor(() => expect(answers()).toEqual([{ kind: 'cancel' }]));
    cleanup();

    const again = renderPanel(secretPrompt('p3', 'devbox'));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(again.answers()).toEqual([{ kind: 'cancel' }]));
  });

  it('clears a refused secret too, and keeps the field for another try', async () => {
    renderPanel(secretPrompt('p2', 'devbox'), async () => {
      throw new TetherError('internal', 'The login went away.');
    });
    const field = screen.getByLabelText('Passphrase') as HTMLInputElement;
    fireEvent.change(field, { target: { value: 'wrong' } });
    fireEvent.submit(field.form!);
    expect((await screen.findByRole('alert')).textContent).toBe('The login went away.');
    expect(field.value).toBe('');
    await waitFor(() => expect(document.activeElement).toBe(field));
  });
});
