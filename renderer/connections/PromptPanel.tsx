/**
 * A question an SSH login asks, shown over the terminal of each block on that
 * connection: an unknown host key (its SHA256 fingerprint, then connect once,
 * connect and save to known_hosts, or cancel), or a passphrase, password or
 * keyboard-interactive answers. Typed secrets live in this component only and
 * are cleared once sent; the answer goes straight to the core.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { PromptAnswer, SshPrompt } from '../../preload/contract';
import { TetherError } from '../../preload/tether-error';
import type { TetherClient } from '../api/client';
import { forgetPrompt } from '../state/connections';

type Props = {
  prompt: SshPrompt;
  client: TetherClient;
  /** Take the keyboard when it appears (the block the user works in). */
  autoFocus: boolean;
};

/** Keyed by prompt id by its parent: a new question starts with empty fields. */
export function PromptPanel({ prompt, client, autoFocus }: Props) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!autoFocus) return;
    const panel = panelRef.current;
    (panel?.querySelector<HTMLInputElement>('input') ?? panel)?.focus();
  }, [autoFocus]);

  const answer = async (reply: PromptAnswer) => {
    setBusy(true);
    setFailure(null);
    try {
      await client.request('answerPrompt', { promptId: prompt.id, answer: reply });
      forgetPrompt(prompt.id);
    } catch (error) {
      const failed = TetherError.from(error);
      // Answered in another window, or it timed out: nothing is waiting for this answer.
      if (failed.code === 'not_found') forgetPrompt(prompt.id);
      else setFailure(failed.message);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    if (!busy) void answer({ kind: 'cancel' });
  };

  return (
    <div
      ref={panelRef}
      className="prompt-panel"
      role="dialog"
      aria-label={prompt.title}
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      <p className="prompt-title">{prompt.title}</p>
      {prompt.detail ? <p className="prompt-detail">{prompt.detail}</p> : null}
      {prompt.kind === 'hostKey' ? (
        <HostKeyQuestion prompt={prompt} busy={busy} onAnswer={answer} />
      ) : (
        <SecretQuestion prompt={prompt} busy={busy} onAnswer={answer} />
      )}
      {failure ? (
        <p className="prompt-error" role="alert">
          {failure}
        </p>
      ) : null}
    </div>
  );
}

type QuestionProps = {
  prompt: SshPrompt;
  busy: boolean;
  onAnswer(answer: PromptAnswer): Promise<void>;
};

function HostKeyQuestion({ prompt, busy, onAnswer }: QuestionProps) {
  const key = prompt.hostKey;
  return (
    <>
      {key ? (
        <dl className="prompt-host-key">
          <dt>Host</dt>
          <dd>{key.host}</dd>
          <dt>Key type</dt>
          <dd>{key.keyType}</dd>
          <dt>Fingerprint</dt>
          <dd>
            <code aria-label="Fingerprint">{key.fingerprint}</code>
          </dd>
        </dl>
      ) : null}
      <div className="prompt-buttons">
        <button
          type="button"
          disabled={busy}
          title="Trust this key for this connection only"
          onClick={() => void onAnswer({ kind: 'hostKey', choice: 'once' })}
        >
          Connect once
        </button>
        <button
          type="button"
          disabled={busy}
          title="Trust this key and add it to ~/.ssh/known_hosts"
          onClick={() => void onAnswer({ kind: 'hostKey', choice: 'save' })}
        >
          Connect and save
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void onAnswer({ kind: 'hostKey', choice: 'reject' })}
        >
          Cancel
        </button>
      </div>
    </>
  );
}

function SecretQuestion({ prompt, busy, onAnswer }: QuestionProps) {
  const [values, setValues] = useState(() => prompt.fields.map(() => ''));
  const firstRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const sent = values;
    // The secret leaves with the request and stays nowhere here, whatever the answer.
    setValues(prompt.fields.map(() => ''));
    await onAnswer({ kind: 'secret', values: sent });
    firstRef.current?.focus();
  };

  return (
    <form className="prompt-form" onSubmit={(event) => void submit(event)}>
      {prompt.fields.map((field, index) => (
        <label key={index} className="prompt-field">
          <span>{field.label}</span>
          <input
            ref={index === 0 ? firstRef : undefined}
            type={field.secret ? 'password' : 'text'}
            autoComplete="off"
            spellCheck={false}
            value={values[index] ?? ''}
            // Not `disabled`: Chromium blurs a focused control that gets disabled.
            readOnly={busy}
            onChange={(event) => {
              const value = event.target.value;
              setValues((current) => current.map((old, at) => (at === index ? value : old)));
            }}
          />
        </label>
      ))}
      <div className="prompt-buttons">
        <button type="submit" disabled={busy}>
          Continue
        </button>
        <button type="button" disabled={busy} onClick={() => void onAnswer({ kind: 'cancel' })}>
          Cancel
        </button>
      </div>
    </form>
  );
}
