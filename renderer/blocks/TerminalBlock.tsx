/**
 * A terminal block: a header (session indicator, title, connection, actions)
 * over a TermWrap, plus what covers it when its session is done, could not be
 * attached, is still connecting, refused typing while its host can't be
 * reached, when its connection's login asks a question, or when the block
 * shows no session at all. The component mounts and disposes the TermWrap,
 * tells it when it is shown or focused, and mirrors what it reports.
 */
import { useAtom, useAtomValue } from 'jotai';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SessionInfo } from '../../preload/contract';
import type { TetherError } from '../../preload/tether-error';
import { getClient } from '../api/client';
import { reconnect, switchBlockConnection } from '../connections/commands';
import { ConnectionLabel } from '../connections/ConnectionLabel';
import { ConnectionPicker } from '../connections/ConnectionPicker';
import { PromptPanel } from '../connections/PromptPanel';
import { shortcutLabel, type Platform } from '../layout/shortcuts';
import { createSession, showSession } from '../sessions/commands';
import { NoSession, type PreviousSession } from '../sessions/NoSession';
import { blockPickerActions } from '../sessions/picker/block-picker-actions';
import { SessionPicker } from '../sessions/picker/SessionPicker';
import { prefetchPeeks } from '../sessions/picker/use-peeks';
import { SessionIndicator } from '../sessions/SessionIndicator';
import { useBlockSessionId, useSession } from '../sessions/use-session';
import { connectionPickerAtom, promptAtom } from '../state/connections';
import { rememberSession, sessionsAtom, setBlockSession } from '../state/sessions';
import { store } from '../state/store';
import { dispatchLayout, focusRequestAtom, pickerBlockAtom } from '../state/workspace';
import { TermWrap } from '../term/term-wrap';
import { BlockActions } from './BlockActions';
import { exitMessage, notDurableNote } from './exit-message';
import { NotSentNotice } from './NotSentNotice';

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
  const [detached, setDetached] = useState(false);
  const [previous, setPrevious] = useState<PreviousSession | null>(null);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<TetherError | null>(null);
  // Typing was refused while the session's host can't be reached; gone once it runs again.
  const [notSent, setNotSent] = useState(false);
  const [pickerBlock, setPickerBlock] = useAtom(pickerBlockAtom);
  const pickerOpen = pickerBlock === blockId;
  const [anchor, setAnchor] = useState<HTMLSpanElement | null>(null);
  const [connectionPicker, setConnectionPicker] = useAtom(connectionPickerAtom);
  const connectionPickerOpen =
    connectionPicker?.kind === 'block' && connectionPicker.blockId === blockId;
  const [connectionAnchor, setConnectionAnchor] = useState<HTMLSpanElement | null>(null);
  // The login question of this block's connection, shown over its terminal.
  const prompt = useAtomValue(useMemo(() => promptAtom(connection), [connection]));
  const focusRequest = useAtomValue(focusRequestAtom);
  // Every header showing a session reads the same atom: a rename shows everywhere at once.
  const known = useSession(useBlockSessionId(blockId));
  const session = detached ? null : known;
  // Remembered for when it is gone: "the session “build” was deleted".
  const lastKnown = useRef<SessionInfo | null>(null);
  useEffect(() => {
    if (known) lastKnown.current = known;
  }, [known]);
  const actions = useMemo(
    // The actions read the ref only when a button is used, never while rendering.
    // eslint-disable-next-line react-hooks/refs
    () => blockPickerActions(blockId, connection, () => wrapRef.current),
    [blockId, connection],
  );

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const wrap = new TermWrap(host, getClient(), blockId, {
      onSession: (next) => {
        rememberSession(next);
        setBlockSession(blockId, next.id);
        setDetached(false);
        setPrevious(null);
        setError(null);
        if (next.status !== 'disconnected') setNotSent(false);
      },
      onTitle: setTitle,
      onError: setError,
      onDetached: (sessionId) => {
        if (sessionId) {
          const last = lastKnown.current?.id === sessionId ? lastKnown.current : null;
          const deleted = !(sessionId in store.get(sessionsAtom));
          setPrevious({ name: last?.displayName ?? sessionId.slice(0, 8), deleted });
        }
        setBlockSession(blockId, null);
        setDetached(true);
        setError(null);
        setNotSent(false);
      },
      onInputRefused: () => setNotSent(true),
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

  const closePicker = (refocus: boolean) => {
    setPickerBlock((open) => (open === blockId ? null : open));
    if (refocus) wrapRef.current?.focus();
  };

  const closeConnectionPicker = (refocus: boolean) => {
    setConnectionPicker((open) =>
      open?.kind === 'block' && open.blockId === blockId ? null : open,
    );
    if (refocus) wrapRef.current?.focus();
  };

  /** Show a new session on another connection here; a refusal is thrown to the picker. */
  const switchConnection = async (next: string) => {
    if (next === connection) return;
    const block = await switchBlockConnection(blockId, next);
    wrapRef.current?.showBlock(block);
  };

  useEffect(() => {
    // A tab-name editor or dialog keeps the keyboard until it is done; a login question
    // takes it from the terminal.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement || prompt) return;
    if (focused && visible) wrapRef.current?.focus();
  }, [focused, visible, focusRequest, prompt]);

  const act = (action: (wrap: TermWrap) => Promise<void>) => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    void action(wrap);
    // Keep typing in the terminal after clicking: Enter there restarts too.
    wrap.focus();
  };

  /** Show a session in this block, then give the terminal the keyboard. */
  const show = async (sessionId: string) => {
    const wrap = wrapRef.current;
    if (wrap && (await showSession(() => wrap.switchTo(sessionId)))) wrap.focus();
  };

  const createAndShow = async () => {
    const created = await createSession(connection);
    if (created) await show(created.id);
  };

  // An unnamed session is called by the program's title in the indicator; a named one
  // shows the title beside its name.
  const label = session?.name ? title : '';
  const doneNote = session?.status === 'done' ? notDurableNote(session) : null;
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
        <SessionIndicator
          ref={setAnchor}
          session={session}
          detached={detached}
          terminalTitle={title}
          pickerOpen={pickerOpen}
          onTogglePicker={() => (pickerOpen ? closePicker(true) : setPickerBlock(blockId))}
          onReach={() => prefetchPeeks(getClient(), connection)}
          shortcut={shortcutLabel('sessionPicker', platform)}
        />
        {pickerOpen && anchor ? (
          <SessionPicker
            client={getClient()}
            connection={connection}
            currentSessionId={session?.id ?? null}
            anchor={anchor}
            actions={actions}
            onClose={closePicker}
          />
        ) : null}
        <span className="block-title" title={label}>
          {label}
        </span>
        <ConnectionLabel
          ref={setConnectionAnchor}
          connection={connection}
          pickerOpen={connectionPickerOpen}
          onTogglePicker={() =>
            connectionPickerOpen
              ? closeConnectionPicker(true)
              : setConnectionPicker({ kind: 'block', blockId })
          }
          onReconnect={() => reconnect(connection)}
          shortcut={shortcutLabel('newTabOnConnection', platform)}
        />
        {connectionPickerOpen && connectionAnchor ? (
          <ConnectionPicker
            client={getClient()}
            anchor={connectionAnchor}
            current={connection}
            onChoose={switchConnection}
            onClose={closeConnectionPicker}
          />
        ) : null}
        <BlockActions
          blockId={blockId}
          hasSession={session !== null}
          magnified={magnified}
          shared={shared}
          platform={platform}
        />
      </header>
      <div className="block-body">
        <div className="terminal-host" ref={hostRef} />
        {prompt ? (
          <PromptPanel
            key={prompt.id}
            prompt={prompt}
            client={getClient()}
            autoFocus={focused && visible}
          />
        ) : detached ? (
          <NoSession
            connection={connection}
            previous={previous}
            onCreate={createAndShow}
            onPick={show}
          />
        ) : error ? (
          <div className="block-overlay" role="status">
            <p className="overlay-message">{error.message}</p>
            <button type="button" onClick={() => act((wrap) => wrap.retry())}>
              Retry
            </button>
          </div>
        ) : notSent && session?.status === 'disconnected' ? (
          <NotSentNotice connection={connection} />
        ) : session?.status === 'done' ? (
          <div className="block-overlay" role="status">
            <p className="overlay-message">{exitMessage(session)}</p>
            {doneNote ? <p className="overlay-note">{doneNote}</p> : null}
            <button type="button" onClick={() => act((wrap) => wrap.restart())}>
              Restart
            </button>
            <p className="overlay-hint">Press Enter to restart</p>
          </div>
        ) : session?.status === 'init' && connection !== 'local' ? (
          <div className="block-overlay" role="status">
            <p className="overlay-message">Connecting to {connection}…</p>
          </div>
        ) : null}
      </div>
    </section>
  );
}
