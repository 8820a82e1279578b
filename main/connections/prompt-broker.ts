/**
 * Questions an SSH login asks a person (host key, passphrase, password,
 * keyboard-interactive), held until some window answers them. Every window
 * hears of a prompt and of its end; the first answer wins. A prompt nobody
 * answers is cancelled after a while, so a connection never waits forever.
 *
 * Answers are handed to the asker and dropped: they are never stored,
 * logged or sent to another window.
 */
import { randomUUID } from 'node:crypto';
import type { PromptAnswer, SshPrompt } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';

export type PromptEvents = {
  opened(prompt: SshPrompt): void;
  closed(promptId: string): void;
};

/** As long as OpenSSH would wait at a prompt in practice: long enough to fetch a password. */
export const PROMPT_TIMEOUT_MS = 5 * 60_000;

type Pending = {
  prompt: SshPrompt;
  settle(answer: PromptAnswer): void;
  timer: ReturnType<typeof setTimeout>;
};

export class PromptBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly events: PromptEvents,
    private readonly timeoutMs = PROMPT_TIMEOUT_MS,
  ) {}

  /** Ask every window; resolves with the first answer, or `cancel` on timeout or cancelAll. */
  ask(question: Omit<SshPrompt, 'id'>): Promise<PromptAnswer> {
    const prompt: SshPrompt = { ...question, id: randomUUID() };
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(prompt.id, { kind: 'cancel' }), this.timeoutMs);
      timer.unref?.();
      this.pending.set(prompt.id, { prompt, settle: resolve, timer });
      this.events.opened(prompt);
    });
  }

  /** A window's answer; the wrong kind for the prompt is refused and the prompt stays. */
  answer(promptId: string, answer: PromptAnswer): void {
    const entry = this.pending.get(promptId);
    if (!entry) {
      throw new TetherError('not_found', 'That question was already answered or has expired.');
    }
    const problem = answerProblem(entry.prompt, answer);
    if (problem) throw new TetherError('invalid_payload', problem);
    this.settle(promptId, answer);
  }

  list(): SshPrompt[] {
    return [...this.pending.values()].map((entry) => entry.prompt);
  }

  /** Cancel the prompts of one connection (it was closed), or all of them. */
  cancelAll(connection?: string): void {
    for (const entry of [...this.pending.values()]) {
      if (connection === undefined || entry.prompt.connection === connection) {
        this.settle(entry.prompt.id, { kind: 'cancel' });
      }
    }
  }

  private settle(promptId: string, answer: PromptAnswer): void {
    const entry = this.pending.get(promptId);
    if (!entry) return;
    this.pending.delete(promptId);
    clearTimeout(entry.timer);
    entry.settle(answer);
    this.events.closed(promptId);
  }
}

function answerProblem(prompt: SshPrompt, answer: PromptAnswer): string | null {
  if (answer.kind === 'cancel') return null;
  if (prompt.kind === 'hostKey') {
    return answer.kind === 'hostKey' ? null : 'A host key question takes a host key answer.';
  }
  if (answer.kind !== 'secret') return 'This question takes typed answers.';
  if (answer.values.length !== prompt.fields.length) {
    return `This question takes ${prompt.fields.length} answer(s), not ${answer.values.length}.`;
  }
  return null;
}
