/**
 * The connection part of a block header: the connection's name with its link
 * state as a coloured dot, the state in words in the tooltip, and Reconnect
 * when the link is down. Clicking the name opens the connection picker, which
 * hangs from it.
 */
import { useAtomValue } from 'jotai';
import { useMemo, useState, type Ref } from 'react';
import { connectionListAtom, linkStatusAtom } from '../state/connections';
import { canReconnect, linkDescription, ticks } from './link-state';
import { LinkDot } from './LinkDot';
import { useTickingNow } from './use-ticking-now';

type Props = {
  connection: string;
  pickerOpen: boolean;
  onTogglePicker(): void;
  /** Connect now; resolves once asked (a failure is told elsewhere). */
  onReconnect(): Promise<void>;
  /** The shortcut that opens a new tab on a connection, for the tooltip. */
  shortcut: string;
  /** The element the picker is anchored to. */
  ref?: Ref<HTMLSpanElement>;
};

export function ConnectionLabel(props: Props) {
  const { connection, pickerOpen, onTogglePicker, onReconnect, shortcut, ref } = props;
  const status = useAtomValue(useMemo(() => linkStatusAtom(connection), [connection]));
  const list = useAtomValue(connectionListAtom);
  const target = list.find((info) => info.name === connection)?.target ?? null;
  const now = useTickingNow(ticks(status));
  const [asking, setAsking] = useState(false);

  const state = status?.state ?? null;
  // local is always there: no dot, nothing to say about a link.
  const shown = state !== null && state !== 'ready' ? state : null;
  const where = target && target !== connection ? `${connection} (${target})` : connection;
  const described = status && shown ? `${where}: ${linkDescription(status, now)}` : where;
  const title = `${described} — open another connection here (new tab on one: ${shortcut})`;

  return (
    <span className="connection-label" ref={ref} data-state={state ?? 'unknown'}>
      {shown ? <LinkDot state={shown} /> : null}
      <button
        type="button"
        className="block-connection"
        aria-label="Connection"
        aria-haspopup="dialog"
        aria-expanded={pickerOpen}
        title={title}
        onClick={onTogglePicker}
      >
        {connection}
      </button>
      {state !== null && canReconnect(state) ? (
        <button
          type="button"
          className="reconnect-button"
          disabled={asking}
          title={`Connect to ${connection} now`}
          onClick={() => {
            setAsking(true);
            void onReconnect().finally(() => setAsking(false));
          }}
        >
          Reconnect
        </button>
      ) : null}
    </span>
  );
}
