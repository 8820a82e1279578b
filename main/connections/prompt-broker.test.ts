import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SshPrompt } from '../../preload/contract';
import { PromptBroker } from './prompt-broker';

const question: Omit<SshPrompt, 'id'> = {
  connection: 'testhost',
  kind: 'password',
  title: 'Password for alice@127.0.0.1',
  detail: null,
  fields: [{ label: 'Password', secret: true }],
};

function broker(timeoutMs?: number) {
  const opened: SshPrompt[] = [];
  const closed: string[] = [];
  const instance = new PromptBroker(
    { opened: (prompt) => opened.push(prompt), closed: (id) => closed.push(id) },
    timeoutMs,
  );
  return { instance, opened, closed };
}

afterEach(() => vi.useRealTimers());

describe('PromptBroker', () => {
  it('tells every window, hands the first answer to the asker and closes the prompt', async () => {
    const { instance, opened, closed } = broker();
    const answer = instance.ask(question);
    expect(opened).toHaveLength(1);
    const id = opened[0]!.id;
    expect(instance.list().map((prompt) => prompt.id)).toEqual([id]);
    instance.answer(id, { kind: 'secret', values: ['hunter2'] });
    await expect(answer).resolves.toEqual({ kind: 'secret', values: ['hunter2'] });
    expect(closed).toEqual([id]);
    expect(instance.list()).toEqual([]);
    // A second window answering late learns it is gone.
    expect(() => instance.answer(id, { kind: 'cancel' })).toThrow(/already answered/);
  });

  it('refuses an answer of the wrong shape and keeps the prompt', async () => {
    const { instance, opened } = broker();
    const answer = instance.ask(question);
    const id = opened[0]!.id;
    expect(() => instance.answer(id, { kind: 'hostKey', choice: 'save' })).toThrow(/typed answers/);
    expect(() => instance.answer(id, { kind: 'secret', values: [] })).toThrow(/1 answer/);
    expect(instance.list()).toHaveLength(1);
    instance.answer(id, { kind: 'cancel' });
    await expect(answer).resolves.toEqual({ kind: 'cancel' });
  });

  it('a host key question takes only a host key answer', () => {
    const { instance, opened } = broker();
    void instance.ask({ ...question, kind: 'hostKey', fields: [] });
    expect(() => instance.answer(opened[0]!.id, { kind: 'secret', values: [] })).toThrow(
      /host key answer/,
    );
  });

  it('cancels an unanswered prompt after the timeout', async () => {
    vi.useFakeTimers();
    const { instance, closed } = broker(1_000);
    const answer = instance.ask(question);
    vi.advanceTimersByTime(1_000);
    await expect(answer).resolves.toEqual({ kind: 'cancel' });
    expect(closed).toHaveLength(1);
  });

  it('cancelAll ends one connection’s prompts only', async () => {
    const { instance } = broker();
    const a = instance.ask(question);
    void instance.ask({ ...question, connection: 'other' });
    instance.cancelAll('testhost');
    await expect(a).resolves.toEqual({ kind: 'cancel' });
    expect(instance.list().map((prompt) => prompt.connection)).toEqual(['other']);
  });
});
