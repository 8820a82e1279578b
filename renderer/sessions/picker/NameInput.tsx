/**
 * An inline name editor: Enter submits, Escape cancels, and a refusal (a bad
 * or taken name) is shown under it while the input keeps what was typed.
 */
import { useEffect, useRef, useState } from 'react';
import { cleanName, nameProblem } from '../../../preload/layout';
import { TetherError } from '../../../preload/tether-error';

type Props = {
  label: string;
  initial: string;
  placeholder?: string;
  /** Blank (after trimming) is passed as null: no name. Throws to refuse. */
  onSubmit(name: string | null): Promise<void>;
  onCancel(): void;
};

export function NameInput({ label, initial, placeholder, onSubmit, onCancel }: Props) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  const submit = async () => {
    const trimmed = cleanName(value);
    const problem = trimmed === '' ? null : nameProblem(trimmed);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(trimmed === '' ? null : trimmed);
    } catch (failure) {
      setError(TetherError.from(failure).message);
      inputRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="name-input">
      <input
        ref={inputRef}
        type="text"
        aria-label={label}
        aria-invalid={error !== null}
        placeholder={placeholder}
        value={value}
        // Not `disabled`: Chromium blurs a focused control that gets disabled, and the
        // refocus after a refusal would then hit a still-disabled input and do nothing.
        readOnly={busy}
        aria-busy={busy}
        spellCheck={false}
        onChange={(event) => {
          setValue(event.target.value);
          setError(null);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            event.stopPropagation();
            if (!busy) void submit();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onCancel();
          }
        }}
      />
      {error ? (
        <p className="name-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
