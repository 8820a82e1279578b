/**
 * A terminal block: a header (title, connection, actions) over a TermWrap,
 * plus the overlay shown when the shell has ended or could not be attached.
 * The component mounts and disposes the TermWrap, tells it when it is shown
 * or focused, and mirrors what it reports.
 */
import { useAtomValue } from 'jotai';
import { useEffect, useRef, useState } from 'react';
import type { TerminalState } from '../../preload/contract';
import type { TetherError } from '../../preload/tether-error';
import { getClient } from '../api/client';
import { closeBlock, splitBlock } from '../layout/commands';
import { withShortcut, type Platform } from '../layout/shortcuts';
import { dispatchLayout, focusRequestAtom, requestFocus } from '../state/workspace';
import { TermWrap } from '../term/term-wrap';
import { exitMessage } from './exit-message';
import { CloseIcon, MagnifyIcon, RestoreIcon, SplitDownIcon, SplitRightIcon } from './icons';

type Props = {
  blockId: string;
  connection: string;
  /** The block that receives keystrokes in its tab. */
  focused: boolean;
  /** On screen: its tab is active and no other block is magnified over it. */
  visible: boolean;
  magnified: boolean;
  /** Whether the tab has other blocks (magnify means nothing alone). */
  shared: boolean;
  platform: Platform;
};

export function TerminalBlock(props: Props) {
  const { blockId, connection, focused, visible, magnified, shared, platform } = props;
  const hostRef = useRef<HTMLDivElement>(null);
  const wrapRef = useRef<TermWrap | null>(null);
  const [state, setState] = useState<TerminalState | null>(null);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<TetherError | null>(null);
  const focusRequest = useAtomValue(focusRequestAtom);

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
    return () => {
      wrapRef.current = null;
      wrap.dispose();
    };
  }, [blockId]);

  useEffect(() => {
    wrapRef.current?.setVisible(visible);
  }, [visible]);

  useEffect(() => {
    // A tab-name editor or dialog keeps the keyboard until it is done.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement) return;
    if (focused && visible) wrapRef.current?.focus();
  }, [focused, visible, focusRequest]);

  const act = (action: (wrap: TermWrap) => Promise<void>) => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    void action(wrap);
    // Keep typing in the terminal after clicking: Enter there restarts too.
    wrap.focus();
  };

  const label = title || connection;
  const className = `terminal-block${focused ? ' focused' : ''}`;
  return (
    <section
      className={className}
      role="region"
      aria-label="Terminal"
      data-block-id={blockId}
      data-focused={focused}
      onFocus={() => dispatchLayout({ type: 'focus', blockId })}
      onMouseDown={() => dispatchLayout({ type: 'focus', blockId })}
    >
      <header className="block-header">
        <span className="block-title" title={label}>
          {label}
        </span>
        <span className="block-connection" aria-label="Connection">
          {connection}
        </span>
        <span className="block-actions">
          <button
            type="button"
            className="icon-button"
            aria-label="Split right"
            title={withShortcut('Split right', 'splitRight', platform)}
            onClick={() => void splitBlock(blockId, 'right')}
          >
            <SplitRightIcon />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Split down"
            title={withShortcut('Split down', 'splitDown', platform)}
            onClick={() => void splitBlock(blockId, 'down')}
          >
            <SplitDownIcon />
          </button>
          {shared ? (
            <button
              type="button"
              className="icon-button"
              aria-label={magnified ? 'Restore' : 'Magnify'}
              aria-pressed={magnified}
              title={withShortcut(magnified ? 'Restore' : 'Magnify', 'toggleMagnify', platform)}
              onClick={() => {
                dispatchLayout({ type: 'toggleMagnify', blockId });
                requestFocus();
              }}
            >
              {magnified ? <RestoreIcon /> : <MagnifyIcon />}
            </button>
          ) : null}
          <button
            type="button"
            className="icon-button"
            aria-label="Close block"
            title={withShortcut('Close', 'closeBlock', platform)}
            onClick={() => void closeBlock(blockId)}
          >
            <CloseIcon />
          </button>
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
