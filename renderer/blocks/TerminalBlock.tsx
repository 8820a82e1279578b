/**
 * A terminal block: a thin header over a TermWrap, plus the overlay shown
 * when the shell has ended or could not be attached. The component only
 * mounts and disposes the TermWrap and mirrors what it reports.
 */
import { useEffect, useRef, useState } from 'react';
import type { TerminalState } from '../../preload/contract';
import { getClient } from '../api/client';
import type { TetherError } from '../../preload/tether-error';
import { TermWrap } from '../term/term-wrap';
import { exitMessage } from './exit-message';

type Props = { blockId: string; connection: string };

export function TerminalBlock({ blockId, connection }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const wrapRef = useRef<TermWrap | null>(null);
  const [state, setState] = useState<TerminalState | null>(null);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<TetherError | null>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const wrap = new TermWrap(host, getClient(), blockId, {
      onState: (next) => {
        setState(next);
        setError(null);
      },
      onTitle: setTitle,
      onError: setError,
    });
    wrapRef.current = wrap;
    void wrap.attach();
    wrap.focus();
    return () => {
      wrapRef.current = null;
      wrap.dispose();
    };
  }, [blockId]);

  const act = (action: (wrap: TermWrap) => Promise<void>) => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    void action(wrap);
    // Keep typing in the terminal after clicking: Enter there restarts too.
    wrap.focus();
  };

  return (
    <section className="terminal-block" role="region" aria-label="Terminal">
      <header className="block-header">
        <span className="block-title" title={title || connection}>
          {title || connection}
        </span>
        <span className="block-connection" aria-label="Connection">
          {connection}
        </span>
      </header>
      <div className="block-body">
        <div className="terminal-host" ref={hostRef} />
        {error ? (
          <div className="block-overlay" role="status">
            <p className="overlay-message">{error.message}</p>
            <button type="button" onClick={() => act((wrap) => wrap.retry())}>
              Retry
            </button>
          </div>
        ) : state && state.status === 'exited' ? (
          <div className="block-overlay" role="status">
            <p className="overlay-message">{exitMessage(state)}</p>
            <button type="button" onClick={() => act((wrap) => wrap.restart())}>
              Restart
            </button>
            <p className="overlay-hint">Press Enter to restart</p>
          </div>
        ) : null}
      </div>
    </section>
  );
}
